/**
 * The rows of an API answer's `data`, as one table: a list of rows as it is;
 * a per-period answer ({current, previous}, overview and timeseries) as the
 * current rows then the previous ones, each with a `period` column, and the
 * figures beside a single current row (current_visitors) on that row; any
 * other object as one row. Values that are lists or objects stay JSON in
 * their cell. Pure.
 */
type Row = Record<string, unknown>;

const isObject = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const asRow = (v: unknown): Row => (isObject(v) ? v : { value: v });

export function tableOf(data: unknown): Row[] {
  if (Array.isArray(data)) return data.map(asRow);
  if (!isObject(data)) return data === null || data === undefined ? [] : [{ value: data }];
  if (!('current' in data)) return [data];
  const { current, previous, ...rest } = data;
  const period = (name: string, v: unknown): Row[] => {
    if (v === null || v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).map((r) => ({ period: name, ...asRow(r) }));
  };
  const rows = period('current', current);
  // Figures of the range as a whole (current visitors) belong with a single current row; a
  // series' own settings (its bucket) are in the file name's range already.
  if (isObject(current) && rows[0])
    Object.assign(rows[0], Object.fromEntries(Object.entries(rest).filter(([, v]) => !isObject(v) && !Array.isArray(v))));
  return [...rows, ...period('previous', previous)];
}
