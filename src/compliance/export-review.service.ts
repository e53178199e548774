import { actionWords } from '../audit/action-words.js';
import { utcTimeInWords } from '../http/time-words.js';
import type { AuditKeys } from '../audit/audit-keys.js';
import type { AuditFilter } from '../audit/audit-query.repository.js';
import { countEvents } from './audit-export.js';
import { namesFor } from './names.js';

/**
 * What an export will hold, said before it starts: the filter in words and the number of
 * events. The count reads the events as the export will, so it is exact at the time.
 */
export async function reviewExport(filter: AuditFilter, keys: AuditKeys) {
  const [count, words] = await Promise.all([countEvents(filter, keys), filterInWords(filter)]);
  return { count, words };
}

/** A filter as a list of sentences: "Customer: Alice Smith (alice@example.com)". */
export async function filterInWords(filter: AuditFilter): Promise<string[]> {
  const names = await namesFor([{ clientId: filter.clientId, customerId: filter.customerId }]);
  const person = filter.customerId ? names.customers[filter.customerId] : undefined;
  const words = [
    filter.customerId &&
      `Customer: ${person ? `${person.name} (${person.email}), ` : ''}customer ID ${filter.customerId}`,
    filter.clientId && `App: ${names.apps[filter.clientId] ?? filter.clientId} (${filter.clientId})`,
    filter.consentId && `Consent: ${filter.consentId}`,
    filter.action && `Action: ${actionWords[filter.action]} (${filter.action})`,
    filter.outcome && `Outcome: ${filter.outcome === 'success' ? 'Success' : 'Failure'}`,
    filter.from && `From ${utcTimeInWords(filter.from)}`,
    filter.to && `To ${utcTimeInWords(filter.to)}`,
    filter.excludeAction && `Leaving out: ${actionWords[filter.excludeAction]}`,
  ].filter((w): w is string => Boolean(w));
  return words.length ? words : ['Every event in the log'];
}
