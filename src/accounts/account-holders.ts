/**
 * Who an account belongs to. Most accounts have one holder (`customerId`). A joint account
 * lists every holder in `holderIds`, main holder first; each may use it and each has a say
 * in sharing it. A card may have additional cardholders, each with a card number of their
 * own whose purchases appear on the card; the main cardholder (`customerId`) decides
 * whether they may share the card's data (the "secondary user instruction").
 */
export interface HeldAccount {
  _id: string;
  customerId: string;
  holderIds?: string[] | null | undefined;
  cardholders?: { customerId: string; maskedPan?: string | null | undefined }[] | null | undefined;
}

export type HolderRole = 'sole' | 'joint' | 'main_cardholder' | 'additional_cardholder';

/** Every holder of the account, main holder first (one for most accounts). */
export function holdersOf(account: HeldAccount): string[] {
  return account.holderIds?.length ? account.holderIds : [account.customerId];
}

export function isJoint(account: HeldAccount): boolean {
  return holdersOf(account).length > 1;
}

export function additionalCardholdersOf(account: HeldAccount): string[] {
  return (account.cardholders ?? []).map((c) => c.customerId);
}

/** Everyone with a say in sharing the account: its holders, then any additional cardholders. */
export function peopleOf(account: HeldAccount): string[] {
  return [...holdersOf(account), ...additionalCardholdersOf(account)];
}

/** Whether sharing this account involves anyone but one sole holder. */
export function hasOtherPeople(account: HeldAccount): boolean {
  return peopleOf(account).length > 1;
}

export function roleOf(account: HeldAccount, customerId: string): HolderRole | undefined {
  if (isJoint(account)) return holdersOf(account).includes(customerId) ? 'joint' : undefined;
  if (additionalCardholdersOf(account).includes(customerId)) return 'additional_cardholder';
  if (account.customerId !== customerId) return undefined;
  return additionalCardholdersOf(account).length > 0 ? 'main_cardholder' : 'sole';
}
