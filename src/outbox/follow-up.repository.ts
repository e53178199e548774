import { claim } from '../db/primary-key.js';
import { FollowUpModel } from './follow-up.model.js';

/**
 * The outbox: follow-ups still owed, a small collection read whole by the worker
 * (docs/storage.md, "small queues"). Recorded by insert, removed when carried out.
 */

/** A consent ended: its grant is destroyed and its app told. `changeId` is the consent's transition. */
export interface ConsentEndedFollowUp {
  _id: string;
  kind: 'consent-ended';
  changeId: string;
  consentId: string;
  event: 'revoked' | 'expired';
  createdAt: Date;
}

/** Its holders took an account off a connection: the app is told. `changeId` is the sharing change. */
export interface AccountWithdrawnFollowUp {
  _id: string;
  kind: 'account-withdrawn';
  changeId: string;
  consentId: string;
  clientId: string;
  accountId: string;
  /** Why the data API now refuses the account (sharing-state.ts, `accessOf`). */
  reason: string;
  createdAt: Date;
}

export type FollowUp = ConsentEndedFollowUp | AccountWithdrawnFollowUp;

export async function recordFollowUp(followUp: FollowUp): Promise<void> {
  await claim(FollowUpModel, { ...followUp });
}

export async function owedFollowUps(limit: number): Promise<FollowUp[]> {
  const all = (await FollowUpModel.find({}).lean()) as FollowUp[];
  return all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).slice(0, limit);
}

export async function findFollowUp(id: string): Promise<FollowUp | undefined> {
  return ((await FollowUpModel.findById(id).lean()) as FollowUp | null) ?? undefined;
}

export async function followUpDone(id: string): Promise<void> {
  await FollowUpModel.deleteOne({ _id: id });
}
