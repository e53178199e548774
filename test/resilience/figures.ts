/** The figures of a resilience run, one row per scenario, printed as a table when the run ends. */
export interface ScenarioFigures {
  scenario: string;
  requests: number;
  ok: number;
  unavailable: number;
  other: number;
  auditChecked: number;
  auditMissing: number;
  /** Free-form measurements, shown under the table. */
  notes: string[];
}

export const figures: ScenarioFigures[] = [];

export function figuresTable(rows: readonly ScenarioFigures[]): string {
  const header = ['scenario', 'requests', '200', '503', 'other', 'audit checked', 'audit missing'];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.requests),
    String(r.ok),
    String(r.unavailable),
    String(r.other),
    String(r.auditChecked),
    String(r.auditMissing),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  return ['', 'Faults under load', '', line(header), rule, ...cells.map(line), '', ...notes, ''].join('\n');
}
