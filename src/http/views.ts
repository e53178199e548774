import { reasonWords } from '../audit/reason-words.js';
import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { viewsDir } from '../paths.js';
import { dayInWords, defaultTimeZone, timeInWords, utcTimeInWords, zoneInWords } from './time-words.js';

const date = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

const consentStatusWords: Record<string, string> = {
  AUTH: 'Active',
  AWAU: 'Waiting for your approval',
  RJCT: 'Declined',
  CANC: 'Revoked',
  EXPD: 'Expired',
};

export function formatMoney(minor: number, currency: string): string {
  return formatAmount(minor / 100, currency);
}

/** An amount in pounds (or the currency's own unit), as every page shows money: "£10,519.16". */
function formatAmount(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}

/** An OB account identification in words: "sort code 40-58-63, account number 35711291", or "number …" for a card. */
function identificationInWords(account: { SchemeName: string; Identification: string }): string {
  const sortCodeAndNumber = /^(\d{2})(\d{2})(\d{2})(\d{8})$/.exec(account.Identification);
  if (account.SchemeName.endsWith('SortCodeAccountNumber') && sortCodeAndNumber) {
    const [, a, b, c, number] = sortCodeAndNumber;
    return `sort code ${a}-${b}-${c}, account number ${number}`;
  }
  return `number ${account.Identification}`;
}

/** Nunjucks with autoescaping on: every value is HTML-escaped unless a template says otherwise. */
export function configureViews(app: Express, cache: boolean) {
  const env = nunjucks.configure(viewsDir, {
    autoescape: true,
    express: app,
    noCache: !cache,
    throwOnUndefined: false,
  });
  env.addFilter('money', (minor: number | undefined, currency: string) =>
    typeof minor === 'number' ? formatMoney(minor, currency) : '—',
  );
  // An OB amount ("10519.16", its currency) as the other pages show money: "£10,519.16".
  env.addFilter('amount', (amount: string, currency: string) => formatAmount(Number(amount), currency));
  env.addFilter('identification', identificationInWords);
  env.addFilter('zoneName', zoneInWords);
  env.addFilter('datetime', (value: Date | string | undefined) =>
    value ? utcTimeInWords(new Date(value)) : '—',
  );
  env.addFilter('date', (value: Date | string | undefined) => (value ? date.format(new Date(value)) : '—'));
  // In words and in the reader's time zone (res.locals.timeZone): "3 December 2026 at 14:05".
  env.addFilter('day', function (this: { ctx?: { timeZone?: string } }, value: Date | undefined) {
    return value ? dayInWords(new Date(value), this.ctx?.timeZone ?? defaultTimeZone) : '';
  });
  env.addFilter('when', function (this: { ctx?: { timeZone?: string } }, value: Date | undefined) {
    return value ? timeInWords(new Date(value), this.ctx?.timeZone ?? defaultTimeZone) : '';
  });
  // "2026-12" as "December 2026".
  env.addFilter('month', (value: string) =>
    new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${value}-01T00:00:00Z`),
    ),
  );
  // A file's size in words: "12.4 MB" (decimal units, as browsers and file managers show them).
  env.addFilter('filesize', (bytes: number | undefined) => {
    if (typeof bytes !== 'number') return '';
    if (bytes < 1000) return `${bytes} bytes`;
    const [size, unit] =
      bytes < 1e6 ? [bytes / 1e3, 'kB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB'];
    return `${size.toFixed(1)} ${unit}`;
  });
  env.addFilter('reasonWords', reasonWords);
  env.addFilter('consentStatus', (status: string) => consentStatusWords[status] ?? status);
  app.set('view engine', 'njk');
  return env;
}
