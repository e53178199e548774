import type Provider from 'oidc-provider';
import type { ConsentRecord } from './consent.model.js';
import type { AccountWithdrawal, ConsentNotifier } from './consent.service.js';

export interface ConsentEndListener {
  consentEnded(consent: ConsentRecord, event: 'revoked' | 'expired', noticeId: string): Promise<void>;
  accountWithdrawn(withdrawal: AccountWithdrawal, noticeId: string): Promise<void>;
}

/**
 * What must happen when a consent ends: its OAuth grant is destroyed, so every access
 * and refresh token issued under it stops working at once (the provider and the data API
 * both check the grant on every use), then the rest of its artefacts are removed and the
 * listeners (the app's webhook) are told. An account taken off a connection leaves the
 * grant alone (the data API refuses that account) and is told to the listeners.
 */
export function consentEndings(provider: Provider, listeners: ConsentEndListener[] = []): ConsentNotifier {
  return {
    async consentEnded(consent, event, followUpId) {
      if (consent.grantId) {
        const grant = await provider.Grant.find(consent.grantId);
        await grant?.destroy();
        // Access tokens are left to expire (minutes): without their grant they are refused, and
        // a refused call can still be traced to its consent in the audit log.
        await Promise.all([
          provider.RefreshToken.revokeByGrantId(consent.grantId),
          provider.AuthorizationCode.revokeByGrantId(consent.grantId),
        ]);
      }
      for (const listener of listeners) await listener.consentEnded(consent, event, `${followUpId}#notice`);
    },
    async accountWithdrawn(withdrawal, followUpId) {
      for (const listener of listeners) await listener.accountWithdrawn(withdrawal, `${followUpId}#notice`);
    },
  };
}
