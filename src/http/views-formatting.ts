const timeFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/** Wording shared by handlers and templates. */
export const views = {
  time: (date: Date) => `${timeFormat.format(date)} UTC`,
  /** `GET /accounts/{AccountId}/transactions` as a customer would say it. */
  describeResource(resource: string | undefined): string {
    if (!resource) return 'your data';
    if (resource.includes('transactions')) return 'transactions';
    if (resource.includes('balances')) return 'balances';
    if (resource.includes('accounts')) return 'account details';
    return 'your data';
  },
};
