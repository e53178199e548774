/** OB date-times carry their zone: 2026-04-05T10:43:07+00:00. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
