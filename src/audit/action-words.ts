import type { AuditAction } from './audit-event.js';

/** Each audit action in words, for the compliance pages; the code stays one click away. */
export const actionWords: Record<AuditAction, string> = {
  'auth.signed_in': 'Signed in',
  'auth.sign_in_failed': 'Sign-in failed',
  'auth.signed_out': 'Signed out',
  'consent.created': 'Consent requested',
  'consent.authorised': 'Consent authorised',
  'consent.rejected': 'Consent rejected',
  'consent.revoked': 'Consent revoked',
  'consent.expired': 'Consent expired',
  'consent.account_removed': 'Account removed from consent',
  'consent.previewed': 'Customer previewed the data',
  'data.accessed': 'Data read',
  'data.denied': 'Data read refused',
  'audit.viewed': 'Audit log viewed',
  'audit.exported': 'Audit log exported',
  'audit.verified': 'Audit log verified',
  'audit.checkpointed': 'Checkpoint signed',
  'app.registered': 'App registered',
  'app.updated': 'App updated',
  'app.suspended': 'App suspended',
  'app.reactivated': 'App reactivated',
  'app.consents_revoked': 'All consents of an app revoked',
  'app.rate_limited': 'App rate limited',
  'webhook.delivered': 'Webhook delivered',
  'webhook.failed': 'Webhook failed',
};
