/**
 * Expands a Grafana panel query the way Grafana and the ClickHouse plugin do
 * before it reaches ClickHouse: dashboard variables first (`${var:sqlstring}`
 * quotes the value and doubles single quotes), then the plugin's macros as
 * grafana/clickhouse-datasource pkg/macros/macros.go defines them.
 */
export interface GrafanaContext {
  from: number;
  to: number;
  intervalSeconds: number;
  vars: Record<string, string>;
}

const dateTime = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;
const dateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${ms})`;

export function expandGrafana(sql: string, ctx: GrafanaContext): string {
  let out = sql.replace(/\$\{(\w+)(?::(\w+))?\}/g, (_, name: string, format?: string) => {
    if (!(name in ctx.vars)) throw new Error(`panel uses an undefined variable ${name}`);
    const value = ctx.vars[name]!;
    if (format === 'sqlstring') return `'${value.replace(/'/g, "''")}'`;
    if (format) throw new Error(`variable format ${format} is not expanded by this helper`);
    return value;
  });
  const macros: Record<string, (args: string[]) => string> = {
    timeFilter: ([c]) => `${c} >= ${dateTime(ctx.from)} AND ${c} <= ${dateTime(ctx.to)}`,
    timeFilter_ms: ([c]) => `${c} >= ${dateTime64(ctx.from)} AND ${c} <= ${dateTime64(ctx.to)}`,
    timeInterval: ([c]) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(ctx.intervalSeconds, 1)} second)`,
    timeInterval_ms: ([c]) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${Math.max(ctx.intervalSeconds * 1000, 1)} millisecond)`,
    dateFilter: ([c]) =>
      `${c} >= toDate('${new Date(ctx.from).toISOString().slice(0, 10)}') AND ${c} <= toDate('${new Date(ctx.to).toISOString().slice(0, 10)}')`,
  };
  out = out.replace(/\$__(\w+)\(([^()]*)\)/g, (whole, name: string, args: string) => {
    const m = macros[name];
    if (!m) throw new Error(`unknown macro ${whole}`);
    return m(args.split(',').map((a) => a.trim()));
  });
  out = out.replace(
    /\$__(fromTime_ms|toTime_ms|fromTime|toTime|interval_s)\b/g,
    (_, name: string) =>
      ({
        fromTime: dateTime(ctx.from),
        toTime: dateTime(ctx.to),
        fromTime_ms: dateTime64(ctx.from),
        toTime_ms: dateTime64(ctx.to),
        interval_s: String(Math.max(ctx.intervalSeconds, 1)),
      })[name]!,
  );
  if (/\$__|\$\{/.test(out)) throw new Error(`unexpanded macro or variable left in: ${out}`);
  return out;
}
