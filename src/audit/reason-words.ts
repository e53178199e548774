/**
 * An audit event's reason code as staff read it: "Permission missing" for
 * `permission_missing`. The log keeps the code (shown beside the words as its title);
 * codes not named here read as their own words.
 */
const named: Record<string, string> = {
  account_not_in_consent: 'Account not in the consent',
  outside_transaction_window: 'Outside the agreed transaction dates',
  unattended_limit: 'Daily limit of unattended reads reached',
  consent_not_authorised: 'Consent not yet authorised',
  invalid_dpop_proof: 'Request not signed properly (DPoP)',
  insufficient_scope: 'Token without this scope',
  unknown_email: 'No account with this e-mail',
  bad_credentials: 'Wrong e-mail or password',
  too_many_requests: 'Too many requests',
  joint_approval_pending: 'Waiting for the other joint holder to approve',
  joint_approval_lapsed: 'The other joint holder did not approve in time',
  joint_approval_declined: 'The other joint holder declined',
  joint_option_changed: 'The joint holders no longer allow it',
  sharing_stopped_by_holder: 'A holder of the account stopped sharing it',
  secondary_user_instruction_withdrawn: 'The main cardholder withdrew permission',
  sharing_not_recorded: 'No record of the other holders being asked',
};

export function reasonWords(code: string | undefined): string {
  if (!code) return '';
  if (named[code]) return named[code];
  const words = code.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
