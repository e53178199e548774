import { createHash } from 'node:crypto';
import { actionWords } from '../audit/action-words.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditFilter } from '../audit/audit-query.repository.js';
import { countEvents } from './audit-export.js';
import { verifyNow, type Viewer } from './compliance.service.js';
import { namesFor } from './names.js';

/**
 * What an export will hold, said before it starts: the filter in words and the number of
 * events. The count reads the events as the export will, so it is exact at the time.
 */
export async function reviewExport(filter: AuditFilter) {
  const [count, words] = await Promise.all([countEvents(filter), filterInWords(filter)]);
  return { count, words };
}

/** A filter as a list of sentences: "Customer: Alice Smith (alice@example.com)". */
export async function filterInWords(filter: AuditFilter): Promise<string[]> {
  const names = await namesFor([{ clientId: filter.clientId, customerId: filter.customerId }]);
  const person = filter.customerId ? names.customers[filter.customerId] : undefined;
  const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const words = [
    filter.customerId &&
      `Customer: ${person ? `${person.name} (${person.email}), ` : ''}customer ID ${filter.customerId}`,
    filter.clientId && `App: ${names.apps[filter.clientId] ?? filter.clientId} (${filter.clientId})`,
    filter.consentId && `Consent: ${filter.consentId}`,
    filter.action && `Action: ${actionWords[filter.action]} (${filter.action})`,
    filter.outcome && `Outcome: ${filter.outcome}`,
    filter.from && `From ${when(filter.from)}`,
    filter.to && `To ${when(filter.to)}`,
    filter.excludeAction && `Leaving out: ${actionWords[filter.excludeAction]}`,
  ].filter((w): w is string => Boolean(w));
  return words.length ? words : ['Every event in the log'];
}

/**
 * The printable cover of an evidence pack for a regulator: its scope and filter, how many
 * events, the verification of the whole chain run now, the checkpoint it was checked
 * against, and the fingerprint of the public key that signs checkpoints and the pack.
 * Verifying is recorded in the audit log, as for the pack.
 */
export async function evidenceCover(audit: AuditLog, viewer: Viewer, filter: AuditFilter) {
  const verification = await verifyNow(audit, viewer);
  const review = await reviewExport(filter);
  const publicKey = audit.keys.publicJwk;
  return {
    ...review,
    verification,
    checkpoint: verification.latestCheckpoint,
    key: {
      id: publicKey.kid,
      // SHA-256 of the raw Ed25519 public key, as hex in pairs, for reading aloud or on paper.
      fingerprint: createHash('sha256')
        .update(Buffer.from(publicKey.x, 'base64url'))
        .digest('hex')
        .match(/../g)!
        .join(':'),
    },
    generatedAt: new Date(),
    generatedBy: viewer.user.email,
  };
}
