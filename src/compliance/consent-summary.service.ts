import { accountLabel } from '../accounts/account-label.js';
import { findAccounts } from '../accounts/account.repository.js';
import { permissionWording, type Permission } from '../consents/consent.js';
import { readConsent } from '../consents/consent.repository.js';
import { consentAsOf } from '../consents/consent.service.js';

/**
 * The consent as it stands now, for the head of its history page: whose, which app, what it
 * allows, which accounts, and its dates. Undefined for an id the bank holds no consent for
 * (its events may still be in the log).
 */
export async function consentSummary(consentId: string, now = new Date()) {
  const stored = await readConsent(consentId, now);
  if (!stored) return undefined;
  const consent = consentAsOf(stored, now);
  const accounts = await findAccounts(consent.accountIds ?? []);
  return {
    consent,
    // The customer's words ("Your balances") read as the officer's: "Balances".
    permissions: consent.permissions.map((p) =>
      (permissionWording[p as Permission]?.title ?? p).replace(/^Your (.)/, (_, first: string) =>
        first.toUpperCase(),
      ),
    ),
    accounts: accounts.map((a) => accountLabel(a)),
  };
}
