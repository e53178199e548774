import type { AuditInput, RequestContext } from '../audit/audit-event.js';
import { takeSlot } from '../db/primary-key.js';
import { settledConsent, type ConsentDeps } from '../consents/consent.service.js';
import type { ConsentRecord } from '../consents/consent.model.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';
import type { AppToken } from '../oauth/resource-server.js';
import { UnattendedCallModel } from './unattended.model.js';

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
  const refuse = async (status: number, code: string, reason: string, message: string) => {
    await deps.audit.record({ ...base, action: 'data.denied', outcome: 'failure', reason });
    return new ObError(status, [{ ErrorCode: code, Message: message }]);
  };

  const consent = token.consentId ? await settledConsent(deps, token.consentId, request.context) : undefined;
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
  const accountIds = consent.accountIds ?? [];
  if (request.accountId && !accountIds.includes(request.accountId)) {
    throw await refuse(
      403,
      obErrorCodes.accountNotInConsent,
      'account_not_in_consent',
      'The customer did not share this account with this app',
    );
  }
  if (
    !request.attended &&
    !(await claimUnattendedCall(consent._id, deps.unattendedDailyLimit, deps.now?.() ?? new Date()))
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

/** Claims one of the day's unattended slots for the consent; false when all are taken. */
async function claimUnattendedCall(consentId: string, limit: number, now: Date): Promise<boolean> {
  const day = now.toISOString().slice(0, 10);
  const slot = await takeSlot(
    UnattendedCallModel,
    (n) => `${consentId}#${day}#${n}`,
    { day },
    { max: limit },
  );
  return slot !== undefined;
}
