import { importJWK, SignJWT, type JWK } from 'jose';
import type { AuditLog } from '../audit/audit-log.js';
import { findApp } from '../apps/app.service.js';
import { reasonWords } from '../audit/reason-words.js';
import type { ConsentEndListener } from '../consents/consent-endings.js';
import { iso } from '../open-banking/ob-dates.js';
import type { Logger } from '../logger.js';
import type { PurposeKey } from '../oauth/oauth-keys.js';
import { postNotice } from './webhook-sender.js';
import type { WebhookDeliveryRecord } from './webhook.model.js';
import {
  deliveryWorkerLease,
  dequeue,
  dueDeliveryIds,
  findDelivery,
  queueDelivery,
  recordAttempts,
  retryAt,
} from './webhook.repository.js';

/** Waits before the 2nd, 3rd, ... attempt; after the last, the delivery has failed. */
export const retryDelaysMs = [
  10_000,
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
];

export interface WebhookOptions {
  audit: AuditLog;
  logger: Logger;
  publicUrl: string;
  /** The key kept for webhook notices only (its public half is at /.well-known/webhook-keys.json). */
  signingKey: PurposeKey;
  /** Development on one machine only: let notices go to this machine and private networks. */
  allowInternalAddresses: boolean;
  now?: () => Date;
}

/** How long a signed notice is good for: long enough to arrive, too short to be replayed later. */
const noticeLifetimeSeconds = 300;
export const noticeType = 'consent-event+jwt';

/**
 * Tells apps that a consent ended, or that an account's holders took it off a connection,
 * with a JWT signed by the key kept for webhook notices, posted to the app's webhook URL. Each notice is queued in the database and retried with
 * backoff by whichever process holds the worker lease; every attempt is kept on the
 * delivery and in the audit log. Each attempt is signed afresh (`iat`, a short `exp`, and
 * the notice's id as `jti`, the same on every attempt, so apps can drop repeats).
 */
export function createWebhooks(options: WebhookOptions) {
  const now = () => options.now?.() ?? new Date();
  // Attempts time out after 5 s, so a round started with 6 s of lease left ends inside it.
  const lease = deliveryWorkerLease(() => now().getTime());

  /** Queues a notice to the app, if it takes notices; `claims.event` names it. */
  async function tellApp(
    notice: { _id: string; clientId: string; consentId: string },
    claims: { event: string } & Record<string, unknown>,
  ) {
    const app = await findApp(notice.clientId);
    if (!app?.webhookUrl) return;
    const delivery = { ...notice, event: claims.event, url: app.webhookUrl, claims };
    await queueDelivery({ ...delivery, status: 'pending', createdAt: now() }, now());
  }

  const listener: ConsentEndListener = {
    consentEnded: (consent, event, noticeId) =>
      tellApp(
        { _id: noticeId, clientId: consent.clientId, consentId: consent._id },
        {
          event: `consent.${event}`,
          ConsentId: consent._id,
          Status: consent.status,
          StatusUpdateDateTime: iso(consent.statusUpdateDateTime),
          ...(consent.statusReason ? { StatusReason: [consent.statusReason] } : {}),
          // The customer is told the app is asked to delete what it holds: the notice asks.
          DataDeletion: 'requested',
        },
      ),
    accountWithdrawn: (withdrawal, noticeId) =>
      tellApp(
        { _id: noticeId, clientId: withdrawal.clientId, consentId: withdrawal.consentId },
        {
          event: 'consent.account-withdrawn',
          ConsentId: withdrawal.consentId,
          // The consent stays authorised for its other accounts; this one is refused (U019).
          AccountId: withdrawal.accountId,
          Reason: withdrawal.reason,
          ReasonDescription: reasonWords(withdrawal.reason),
          WithdrawnDateTime: iso(withdrawal.createdAt),
          DataDeletion: 'requested',
        },
      ),
  };

  async function signedNotice(delivery: WebhookDeliveryRecord): Promise<string> {
    if (!delivery.claims) return delivery.jws!;
    const issuedAt = Math.floor(now().getTime() / 1000);
    return new SignJWT(delivery.claims as Record<string, unknown>)
      .setProtectedHeader({ alg: 'ES256', kid: options.signingKey.kid, typ: noticeType })
      .setIssuer(options.publicUrl)
      .setAudience(delivery.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + noticeLifetimeSeconds)
      .setJti(delivery._id)
      .sign(await importJWK(options.signingKey.privateJwk as JWK, 'ES256'));
  }

  let round: Promise<number> | undefined;

  /**
   * Attempts every due delivery, if this process holds the worker lease, and returns how
   * many were attempted. A round still running is not joined by another (a notice is never
   * sent twice at once), and each app's notices go one after another in a lane of its own,
   * lanes side by side, so one app's slow or hung endpoint holds up only its own notices.
   */
  function deliverDue(): Promise<number> {
    round ??= deliveryRound().finally(() => (round = undefined));
    return round;
  }

  async function deliveryRound(): Promise<number> {
    if (!(await lease.hold())) return 0;
    const lanes = new Map<string, WebhookDeliveryRecord[]>();
    for (const id of await dueDeliveryIds(now(), 50)) {
      const delivery = await findDelivery(id);
      if (!delivery || delivery.status !== 'pending') {
        await dequeue(id);
        continue;
      }
      lanes.set(delivery.clientId, [...(lanes.get(delivery.clientId) ?? []), delivery]);
    }
    let attempted = 0;
    await inParallel([...lanes.values()], 8, async (lane) => {
      for (const delivery of lane) {
        if (!lease.roomLeft()) return;
        await attempt(delivery);
        attempted += 1;
      }
    });
    return attempted;
  }

  async function attempt(delivery: WebhookDeliveryRecord) {
    const at = now();
    let status: number | undefined;
    let error: string | undefined;
    try {
      status = await postNotice(delivery.url, await signedNotice(delivery), {
        contentType: 'application/jwt',
        timeoutMs: 5000,
        allowInternal: options.allowInternalAddresses,
      });
      if (status < 200 || status > 299) error = `answered ${status}`;
    } catch (cause) {
      error = cause instanceof Error ? cause.message.slice(0, 200) : 'request failed';
    }
    const attempts = [
      ...delivery.attempts,
      { at, ...(status ? { status } : {}), ...(error ? { error } : {}) },
    ];
    const delivered = !error;
    const exhausted = !delivered && attempts.length > retryDelaysMs.length;
    await options.audit.record({
      action: delivered ? 'webhook.delivered' : 'webhook.failed',
      actor: { type: 'system', id: 'webhook-worker' },
      outcome: delivered ? 'success' : 'failure',
      reason: error,
      clientId: delivery.clientId,
      consentId: delivery.consentId,
      resource: delivery.url,
      details: { delivery: delivery._id, attempt: attempts.length, final: delivered || exhausted },
    });
    await recordAttempts(delivery._id, attempts, delivered ? 'delivered' : exhausted ? 'failed' : 'pending');
    if (delivered || exhausted) await dequeue(delivery._id);
    else {
      const wait = retryDelaysMs[attempts.length - 1]!;
      await retryAt(delivery._id, new Date(at.getTime() + wait));
      options.logger.info(
        { delivery: delivery._id, attempt: attempts.length, error },
        'webhook delivery will be retried',
      );
    }
  }

  return { listener, deliverDue, release: () => lease.release() };
}

export type Webhooks = ReturnType<typeof createWebhooks>;

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
