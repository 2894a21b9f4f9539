/**
 * Rows as CSV (RFC 4180): a header of the columns, CRLF after every record,
 * a field in double quotes when it holds a comma, a quote (doubled) or a line
 * break. Strings a spreadsheet would run as a formula — starting with = + - @
 * (and tab or carriage return, OWASP's list) — get a leading ' so they stay
 * text: a path or a referrer is written by anyone on the internet. Numbers are
 * written as numbers (a negative count is no formula). Pure.
 */

const FORMULA = /^[=+\-@\t\r]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
  else {
    text = typeof value === 'string' ? value : JSON.stringify(value);
    if (FORMULA.test(text)) text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The columns of every row, in the order first seen. */
export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const columns = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) columns.add(k);
  return [...columns];
}

/** The rows with a header line; no rows (and so no columns known) is an empty file. */
export function toCsv(rows: Record<string, unknown>[], columns = columnsOf(rows)): string {
  if (columns.length === 0) return '';
  const line = (fields: unknown[]) => `${fields.map(csvField).join(',')}\r\n`;
  return line(columns) + rows.map((r) => line(columns.map((c) => r[c]))).join('');
}
