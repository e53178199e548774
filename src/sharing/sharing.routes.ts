import { Router, type Request } from 'express';
import { z } from 'zod';
import { currentConsent, type ConsentDeps } from '../consents/consent.service.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { flash } from '../http/flash.js';
import { showFormAgain } from '../http/form-errors.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { optionWords } from './option-words.js';
import { disclosureOptions } from './sharing-state.js';
import {
  approveConnection,
  chooseDisclosureOption,
  declineOptionProposal,
  setCardholderInstruction,
  stopConnection,
} from './sharing.service.js';
import { listOfNames } from '../http/list-of-names.js';
import { appsAChangeWouldStop, othersConnections, sharedAccountsOf } from './sharing-views.service.js';

const customer = requireRole('customer');
const identifier = z
  .string()
  .max(80)
  .regex(/^[A-Za-z0-9._-]+$/, 'is not an id');
const AccountParam = z.strictObject({ accountId: identifier });
const CardholderParam = AccountParam.extend({ cardholderId: identifier });
const ConnectionParam = z.strictObject({
  consentId: z.string().regex(/^aac-[0-9a-f-]{36}$/, 'is not a consent id'),
  accountId: identifier,
});
const OptionForm = z.strictObject({
  _csrf: z.string(),
  option: z.enum(disclosureOptions, 'Choose how this joint account may be shared'),
  confirmed: z.literal('yes').optional(),
});
const InstructionForm = z.strictObject({
  _csrf: z.string(),
  allowed: z.enum(['yes', 'no'], 'Choose whether they may share this card'),
  confirmed: z.literal('yes').optional(),
});
const Confirm = z.strictObject({ _csrf: z.string() });

/**
 * A customer's say over accounts that are not theirs alone: the joint account's
 * disclosure option, the card's additional cardholders, and the connections others made.
 */
export function sharingRoutes(deps: ConsentDeps) {
  const router = Router();
  router.use('/my/sharing', noStore);
  router.use('/my/shared', noStore);
  const now = () => deps.now?.() ?? new Date();
  const acting = (req: Request, accountId: string) => ({
    customerId: req.user!.customerId!,
    accountId,
    context: requestContext(req),
  });
  const heldAccount = async (req: Request, accountId: string) => {
    const view = (await sharedAccountsOf(req.user!.customerId!, now())).find(
      (v) => v.accountId === accountId,
    );
    if (!view) throw new NotFoundError('You hold no such joint account or card');
    return view;
  };

  router.get('/my/sharing', customer, async (req, res) => {
    const accounts = await sharedAccountsOf(req.user!.customerId!, now());
    res.render('sharing/sharing.njk', { accounts, optionWords, me: req.user!.customerId });
  });

  router.get('/my/sharing/:accountId', customer, async (req, res) => {
    const { accountId } = parse(AccountParam, req.params);
    const view = await heldAccount(req, accountId);
    res.render('sharing/account.njk', {
      view,
      optionWords,
      listOfNames,
      values: { option: view.state.option },
    });
  });

  router.post('/my/sharing/:accountId/option', customer, async (req, res) => {
    const { accountId } = parse(AccountParam, req.params);
    const view = await heldAccount(req, accountId);
    const form = OptionForm.safeParse(req.body);
    if (!form.success)
      return showFormAgain(res, 'sharing/account.njk', form.error, {
        view,
        optionWords,
        values: { option: view.state.option },
      });
    const { option, confirmed } = form.data;
    // Agreeing to another holder's open request for this option: only those yet to agree are waited for.
    const agreeing = view.proposal?.option === option ? view.proposal : undefined;
    const waitingFor = listOfNames(
      view.others.filter((o) => !agreeing?.agreedBy.includes(o.customerId)).map((o) => o.name),
    );
    const proposer = agreeing ? (view.names[agreeing.proposedBy] ?? 'Another holder') : undefined;
    if (!confirmed) {
      const stopping = await appsAChangeWouldStop(view, req.user!.customerId!, option, now());
      return res.render('sharing/confirm-option.njk', {
        view,
        option,
        optionWords,
        others: listOfNames(view.others.map((o) => o.name)),
        stopping: { names: listOfNames(stopping), count: stopping.length },
        agreeing,
        proposer,
        waitingFor,
      });
    }
    const { outcome } = await chooseDisclosureOption(deps, acting(req, accountId), option);
    flash(
      req,
      'success',
      outcome === 'changed'
        ? `${view.label}: "${optionWords[option].title}" applies from now.`
        : agreeing
          ? `You agreed. "${optionWords[option].title}" applies once ${waitingFor} agree too.`
          : `We have asked ${waitingFor} to agree to "${optionWords[option].title}". Until they do, nothing changes.`,
    );
    res.redirect(303, '/my/sharing');
  });

  router.post('/my/sharing/:accountId/proposal/decline', customer, async (req, res) => {
    const { accountId } = parse(AccountParam, req.params);
    parse(Confirm, req.body);
    const { withdrawn } = await declineOptionProposal(deps, acting(req, accountId));
    flash(
      req,
      'success',
      withdrawn
        ? 'You withdrew your request. The account is shared as before.'
        : 'You declined the change. The account is shared as before.',
    );
    res.redirect(303, '/my/sharing');
  });

  router.post('/my/sharing/:accountId/cardholders/:cardholderId', customer, async (req, res) => {
    const { accountId, cardholderId } = parse(CardholderParam, req.params);
    const view = await heldAccount(req, accountId);
    const cardholder = view.cardholders.find((c) => c.customerId === cardholderId);
    if (!cardholder || view.role !== 'main_cardholder')
      throw new NotFoundError('No such additional cardholder on your card');
    const { allowed, confirmed } = parse(InstructionForm, req.body);
    if (!confirmed)
      return res.render('sharing/confirm-instruction.njk', { view, cardholder, allowed: allowed === 'yes' });
    await setCardholderInstruction(deps, acting(req, accountId), cardholderId, allowed === 'yes');
    flash(
      req,
      'success',
      allowed === 'yes'
        ? `${cardholder.name} may now share ${view.label} with apps. You will see each connection and can stop it.`
        : `${cardholder.name} can no longer share ${view.label}. Apps they connected can no longer see it.`,
    );
    res.redirect(303, '/my/sharing');
  });

  /**
   * A connection another holder made, with the account this customer holds with them, that
   * she may still stop or approve (one that ended, with its consent or otherwise, is 409).
   */
  const othersConnection = async (req: Request, action: 'stop' | 'approve') => {
    const { consentId, accountId } = parse(ConnectionParam, req.params);
    const shared = await sharedAccountsOf(req.user!.customerId!, now());
    const found = (await othersConnections(deps, req.user!.customerId!, shared)).find(
      (c) => c.consentId === consentId && c.accountId === accountId,
    );
    if (!found) throw new NotFoundError('No such connection on an account you hold');
    if (action === 'stop' && !found.canStop)
      throw new ConflictError('This connection has already ended', 'already_ended');
    if (action === 'approve' && !found.canApprove)
      throw new ConflictError('This connection is not waiting for your approval', 'not_waiting');
    return found;
  };

  for (const action of ['stop', 'approve'] as const) {
    router.get(`/my/shared/:consentId/:accountId/${action}`, customer, async (req, res) => {
      res.render(`sharing/confirm-${action}.njk`, { connection: await othersConnection(req, action) });
    });
  }

  router.post('/my/shared/:consentId/:accountId/stop', customer, async (req, res) => {
    parse(Confirm, req.body);
    const connection = await othersConnection(req, 'stop');
    const consent = await currentConsent(deps, connection.consentId);
    await stopConnection(deps, acting(req, connection.accountId), consent!);
    flash(
      req,
      'success',
      connection.stage === 'waiting'
        ? `You declined. ${connection.appName} will not see ${connection.accountLabel}. We have told ${connection.sharedByName}.`
        : `${connection.appName} can no longer see ${connection.accountLabel}. We have told ${connection.sharedByName}.`,
    );
    res.redirect(303, '/my/apps');
  });

  router.post('/my/shared/:consentId/:accountId/approve', customer, async (req, res) => {
    parse(Confirm, req.body);
    const connection = await othersConnection(req, 'approve');
    const consent = await currentConsent(deps, connection.consentId);
    const state = await approveConnection(deps, acting(req, connection.accountId), consent!);
    const nowShared = state.connections.find((c) => c.consentId === connection.consentId)?.state === 'shared';
    flash(
      req,
      'success',
      nowShared
        ? `${connection.appName} can now see ${connection.accountLabel}. You can stop it at any time.`
        : `You approved. ${connection.appName} sees ${connection.accountLabel} once every holder has approved.`,
    );
    res.redirect(303, '/my/apps');
  });

  return router;
}
