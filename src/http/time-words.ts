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

/** A time zone as people say it: "United Kingdom Time", "Central European Time", "UTC". */
export function zoneInWords(timeZone: string): string {
  if (timeZone === 'UTC') return 'UTC';
  const name = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longGeneric' })
    .formatToParts(new Date())
    .find((part) => part.type === 'timeZoneName')?.value;
  return name && !name.startsWith('GMT') ? name : timeZone;
}

/** "3 December 2026" */
export function dayInWords(date: Date, timeZone = defaultTimeZone): string {
  return formatter('day', timeZone).format(date);
}

/** "3 December 2026 at 14:05" */
export function timeInWords(date: Date, timeZone = defaultTimeZone): string {
  return formatter('time', timeZone).format(date);
}

const staffTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** For staff pages, which work in UTC: "25 Nov 2026, 09:30 UTC". */
export function utcTimeInWords(date: Date): string {
  return `${staffTime.format(date)} UTC`;
}

/** How far ahead of UTC the zone's clock is at that instant, in milliseconds. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return asUtc - (at.getTime() - at.getMilliseconds());
}

/**
 * The calendar month before the one `now` falls in, on the zone's clock: its first instant,
 * the first instant of the next, and its name ("November").
 */
export function lastMonthIn(timeZone: string, now: Date) {
  const zone = isTimeZone(timeZone) ? timeZone : defaultTimeZone;
  const local = new Date(now.getTime() + zoneOffsetMs(now, zone));
  const startOf = (year: number, month: number) => {
    const guess = new Date(Date.UTC(year, month, 1));
    return new Date(guess.getTime() - zoneOffsetMs(guess, zone));
  };
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const from = startOf(year, month - 1);
  return {
    from,
    to: startOf(year, month),
    name: new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: zone }).format(from),
  };
}
