import { peopleOf } from '../accounts/account-holders.js';
import { findAccounts } from '../accounts/account.repository.js';
import type { AuditInput } from '../audit/audit-event.js';
import type { RequestContext } from '../http/request-context.js';
import { currentConsent, type ConsentDeps } from '../consents/consent.service.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';
import type { AppToken } from '../oauth/resource-server.js';
import { accessToAccounts } from '../sharing/sharing.service.js';
import { takeUnattendedCall } from './unattended.repository.js';

export type Resource = 'accounts' | 'balances' | 'transactions';

const needs: Record<Resource, string[]> = {
  accounts: ['ReadAccountsBasic', 'ReadAccountsDetail'],
  balances: ['ReadBalances'],
  transactions: ['ReadTransactionsBasic', 'ReadTransactionsDetail'],
};

export interface DataRequest {
  token: AppToken;
  resource: Resource;
  /** e.g. `GET /accounts/{AccountId}/transactions` */
  route: string;
  accountId?: string;
  attended: boolean;
  context: RequestContext;
}

export interface Authorised {
  consent: ConsentRecord;
  accountIds: string[];
  permissions: string[];
  /** Records the access (call before answering: if it cannot be written the request fails with 503). */
  recordAccess(accountIds: string[], recordCount: number): Promise<void>;
  /** Records a refusal found while reading (with the accounts asked for) and returns the error to throw. */
  refuse(
    status: number,
    code: string,
    reason: string,
    message: string,
    accountIds?: string[],
  ): Promise<ObError>;
}

/**
 * The checks every data request passes, in order: the token's consent is authorised,
 * unexpired and this app's; the endpoint's permission is granted; the account is one the
 * customer chose; an unattended call is within the daily limit. Each refusal is recorded
 * in the audit log with its reason and answered with an OB error body.
 */
export async function authoriseDataRequest(
  deps: ConsentDeps & { unattendedDailyLimit: number },
  request: DataRequest,
): Promise<Authorised> {
  const { token } = request;
  const base: Omit<AuditInput, 'action' | 'outcome'> = {
    actor: { type: 'app', id: token.clientId },
    clientId: token.clientId,
    customerId: token.customerId,
    consentId: token.consentId,
    resource: request.route,
    context: request.context,
    ...(request.accountId ? { accountIds: [request.accountId] } : {}),
  };
  const refuse = async (
    status: number,
    code: string,
    reason: string,
    message: string,
    accountIds?: string[],
  ) => {
    await deps.audit.record({
      ...base,
      ...(accountIds ? { accountIds } : {}),
      action: 'data.denied',
      outcome: 'failure',
      reason,
    });
    return new ObError(status, [{ ErrorCode: code, Message: message }]);
  };

  // As it stands now, read without writing: a lapse not yet recorded refuses all the same.
  const consent = token.consentId ? await currentConsent(deps, token.consentId) : undefined;
  if (!consent || consent.clientId !== token.clientId || consent.customerId !== token.customerId) {
    throw await refuse(
      403,
      obErrorCodes.invalidConsentStatus,
      'consent_mismatch',
      'The token is not for an authorised consent of this app',
    );
  }
  if (consent.status !== 'AUTH') {
    const reason = {
      CANC: 'consent_revoked',
      EXPD: 'consent_expired',
      RJCT: 'consent_rejected',
      AWAU: 'consent_not_authorised',
    }[consent.status as 'CANC' | 'EXPD' | 'RJCT' | 'AWAU'];
    throw await refuse(403, obErrorCodes.invalidConsentStatus, reason, `The consent is ${consent.status}`);
  }
  const used = needs[request.resource].filter((p) => consent.permissions.includes(p));
  if (used.length === 0) {
    throw await refuse(
      403,
      obErrorCodes.permissionNotGranted,
      'permission_missing',
      `The consent does not grant ${needs[request.resource].join(' or ')}`,
    );
  }
  let accountIds = consent.accountIds ?? [];
  if (request.accountId && !accountIds.includes(request.accountId)) {
    throw await refuse(
      403,
      obErrorCodes.accountNotInConsent,
      'account_not_in_consent',
      'The customer did not share this account with this app',
    );
  }
  // Accounts that are others' too are served only while every holder's say allows it.
  const withOthers = (consent.accountsWithOtherHolders ?? []).filter((id) => accountIds.includes(id));
  if (withOthers.length > 0) {
    const [access, held] = await Promise.all([
      accessToAccounts(withOthers, consent._id, deps.now?.() ?? new Date()),
      findAccounts(withOthers),
    ]);
    // A read (or refusal) of an account that is others' too is theirs to see: the compliance
    // search finds it under every holder and cardholder, as it does their decisions.
    const concerned = held.filter((a) =>
      request.accountId ? a._id === request.accountId : access.get(a._id) === 'served',
    );
    if (concerned.length > 0)
      base.holderIds = [...new Set([token.customerId!, ...concerned.flatMap(peopleOf)])];
    const verdict = request.accountId ? access.get(request.accountId) : undefined;
    if (verdict && verdict !== 'served') {
      throw await refuse(
        403,
        obErrorCodes.accountNotAuthorised,
        verdict,
        notAuthorisedMessages[verdict] ?? notAuthorised,
      );
    }
    accountIds = accountIds.filter((id) => (access.get(id) ?? 'served') === 'served');
  }
  if (
    !request.attended &&
    !(await takeUnattendedCall(consent._id, utcDay(deps.now?.() ?? new Date()), deps.unattendedDailyLimit))
  ) {
    throw await refuse(
      429,
      obErrorCodes.unattendedLimit,
      'unattended_limit',
      `At most ${deps.unattendedDailyLimit} calls a day without the customer present (x-fapi-customer-ip-address)`,
    );
  }

  const permissions = [
    ...used,
    ...consent.permissions.filter((p) =>
      ['ReadPAN', 'ReadTransactionsCredits', 'ReadTransactionsDebits'].includes(p),
    ),
  ];
  return {
    consent,
    accountIds,
    permissions,
    refuse,
    async recordAccess(ids, recordCount) {
      await deps.audit.record({
        ...base,
        action: 'data.accessed',
        outcome: 'success',
        accountIds: ids,
        permissions,
        recordCount,
      });
    },
  };
}

const notAuthorised = "The account's other holders do not allow this consent to read it";
const notAuthorisedMessages: Record<string, string> = {
  joint_approval_pending: 'Not yet authorised: every holder of this joint account must approve sharing it',
  joint_approval_lapsed: 'Not authorised: the other holders of this joint account did not approve in time',
  secondary_user_instruction_withdrawn:
    'Not authorised: the main cardholder no longer allows this card to be shared',
};

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
