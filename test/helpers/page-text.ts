/** The visible text of a page, tags gone and spaces collapsed, so sentences read as a person reads them. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}
