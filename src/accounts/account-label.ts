/**
 * One name for an account on every page, the consent screen, the dashboard, the access
 * history and the receipt alike: the customer's nickname (or the product's name) and the
 * last four digits of its number, as "Credit card ending 0327". Never the full number.
 */
export function accountLabel(account: {
  kind: string;
  name: string;
  nickname?: string | null | undefined;
  accountNumber?: string | null | undefined;
  maskedPan?: string | null | undefined;
}): string {
  const number = (account.kind === 'credit_card' ? account.maskedPan : account.accountNumber) ?? '';
  const lastFour = number.replace(/\D/g, '').slice(-4);
  const name = account.nickname || account.name;
  return lastFour ? `${name} ending ${lastFour}` : name;
}
