import assert from 'node:assert/strict';
import {
  approve,
  changeOption,
  choose,
  declineProposal,
  setInstruction,
  shareability,
  stop,
} from '../../src/sharing/sharing-rules.js';
import {
  accessOf,
  approvalWindowMs,
  initialSharing,
  openProposal,
  SharingRefusal,
  type DisclosureOption,
  type SharingState,
} from '../../src/sharing/sharing-state.js';

const joint = { _id: 'acc-j', customerId: 'alice', holderIds: ['alice', 'bob'] };
const card = { _id: 'acc-c', customerId: 'alice', cardholders: [{ customerId: 'bob' }] };
const at = new Date('2026-12-01T10:00:00Z');
const later = (ms: number) => new Date(at.getTime() + ms);
const withOption = (option: DisclosureOption): SharingState => ({ ...initialSharing, option });
const chosen = (state: SharingState) =>
  choose(state, joint, { consentId: 'c1', clientId: 'app', customerId: 'alice', at });
const refusedWith = (code: string) => (error: unknown) =>
  error instanceof SharingRefusal && error.code === code;

describe('sharing rules (the state table)', () => {
  it('each option decides what sharing the joint account does', () => {
    assert.equal(accessOf(chosen(withOption('either')), 'c1', at), 'served');
    assert.equal(accessOf(chosen(withOption('both')), 'c1', at), 'joint_approval_pending');
    assert.throws(() => chosen(withOption('none')), refusedWith('joint_no_sharing'));
  });

  it('"both": served once every holder approves; a wait past its deadline lapses without a write', () => {
    const waiting = chosen(withOption('both'));
    assert.equal(accessOf(approve(waiting, joint, 'c1', 'bob', later(1000)), 'c1', later(1000)), 'served');
    assert.equal(accessOf(waiting, 'c1', later(approvalWindowMs)), 'joint_approval_lapsed');
    assert.throws(
      () => approve(waiting, joint, 'c1', 'bob', later(approvalWindowMs)),
      refusedWith('not_waiting'),
    );
    assert.throws(() => approve(waiting, joint, 'c1', 'alice', at), refusedWith('already_approved'));
  });

  it('stopping: any holder, once; declining a wait is recorded as declined', () => {
    const stopped = stop(chosen(withOption('either')), joint, 'c1', 'bob', at);
    assert.equal(accessOf(stopped, 'c1', at), 'sharing_stopped_by_holder');
    assert.throws(() => stop(stopped, joint, 'c1', 'alice', at), refusedWith('already_ended'));
    assert.equal(
      accessOf(stop(chosen(withOption('both')), joint, 'c1', 'bob', at), 'c1', at),
      'joint_approval_declined',
    );
    assert.throws(
      () => stop(chosen(withOption('either')), joint, 'c1', 'carol', at),
      refusedWith('not_holder'),
    );
  });

  it('stricter options apply at once and end what they no longer allow; looser ones wait for every holder', () => {
    const toBoth = changeOption(chosen(withOption('either')), joint, 'bob', 'both', at);
    assert.deepEqual([toBoth.outcome, toBoth.ended.length], ['changed', 1], 'shared without Bob approving');
    assert.equal(accessOf(toBoth.state, 'c1', at), 'joint_option_changed');

    const proposed = changeOption(withOption('none'), joint, 'alice', 'either', at);
    assert.deepEqual([proposed.outcome, proposed.state.option], ['proposed', 'none']);
    assert.throws(
      () => changeOption(proposed.state, joint, 'alice', 'either', at),
      refusedWith('already_proposed'),
    );
    const agreed = changeOption(proposed.state, joint, 'bob', 'either', at);
    assert.deepEqual(
      [agreed.outcome, agreed.state.option, agreed.state.proposal],
      ['changed', 'either', undefined],
    );

    // A proposal not agreed within the window lapses: agreeing then is a new proposal.
    const tooLate = later(approvalWindowMs);
    assert.equal(openProposal(proposed.state, tooLate), undefined);
    const afresh = changeOption(proposed.state, joint, 'bob', 'either', tooLate);
    assert.deepEqual([afresh.outcome, afresh.state.proposal?.proposedBy], ['proposed', 'bob']);
    assert.throws(() => declineProposal(proposed.state, joint, 'bob', tooLate), refusedWith('no_proposal'));
    // The holder who asked may withdraw it.
    assert.equal(declineProposal(proposed.state, joint, 'alice', at).proposal, undefined);

    // Relaxing "both" to "either" lets connections still waiting through.
    const waiting = chosen(withOption('both'));
    const relaxed = changeOption(
      changeOption(waiting, joint, 'alice', 'either', at).state,
      joint,
      'bob',
      'either',
      at,
    );
    assert.equal(accessOf(relaxed.state, 'c1', at), 'served');
    assert.throws(
      () => changeOption(withOption('either'), joint, 'alice', 'either', at),
      refusedWith('unchanged'),
    );
  });

  it("additional cardholders share only under the main cardholder's instruction", () => {
    assert.deepEqual(shareability(initialSharing, card, 'bob'), { allowed: false, reason: 'no_instruction' });
    assert.deepEqual(shareability(initialSharing, card, 'alice'), { allowed: true, waitsFor: [] });
    const allowed = setInstruction(initialSharing, card, 'alice', 'bob', true, at).state;
    const shared = choose(allowed, card, { consentId: 'c2', clientId: 'app', customerId: 'bob', at });
    assert.equal(accessOf(shared, 'c2', at), 'served');
    const withdrawn = setInstruction(shared, card, 'alice', 'bob', false, at);
    assert.equal(withdrawn.ended.length, 1);
    assert.equal(accessOf(withdrawn.state, 'c2', at), 'secondary_user_instruction_withdrawn');
    assert.throws(
      () => setInstruction(initialSharing, card, 'bob', 'bob', true, at),
      refusedWith('not_main_cardholder'),
    );
  });
});
