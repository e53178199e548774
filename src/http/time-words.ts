/**
 * Dates and times as people read them, in their own time zone: "3 December 2026" and
 * "3 December 2026 at 14:05". Customers choose their zone on the settings page; everyone
 * else, and anyone who has not chosen, sees the bank's (UK) time.
 */
export const defaultTimeZone = 'Europe/London';

// The runtime lists canonical zones only; UTC is one people ask for by name.
const knownZones = new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]);

/** The time zones a person may choose, as the runtime knows them (IANA names). */
export function timeZones(): string[] {
  return [...knownZones];
}

export function isTimeZone(value: string): boolean {
  return knownZones.has(value);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(style: 'day' | 'time', timeZone: string): Intl.DateTimeFormat {
  const key = `${style}|${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'long',
      ...(style === 'time' ? { timeStyle: 'short' } : {}),
      timeZone: isTimeZone(timeZone) ? timeZone : defaultTimeZone,
    });
    formatters.set(key, format);
  }
  return format;
}

/** "3 December 2026" */
export function dayInWords(date: Date, timeZone = defaultTimeZone): string {
  return formatter('day', timeZone).format(date);
}

/** "3 December 2026 at 14:05" */
export function timeInWords(date: Date, timeZone = defaultTimeZone): string {
  return formatter('time', timeZone).format(date);
}
