/**
 * The provisioned Grafana alert rules (grafana/provisioning/alerting/): the
 * file is checked for what Grafana's provisioning needs, and every rule runs
 * the way Grafana runs it — its queries, with the plugin's macros expanded,
 * on the real engine, then its Reduce and Threshold nodes — over a normal
 * weekly pattern built from a real log (tiled over five weeks) with a spike, a
 * drop, a 5xx burst, a silent site, dead letters and a troubled pipeline
 * injected in the last minutes. What should fire is worked out here from the
 * inserted rows, with the definitions of docs/operations.md, not from the SQL.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';
import { expandGrafana } from '../helpers/grafana-macros.ts';
import { readCombinedLog } from '../helpers/read-log.ts';

const provisioning = (path: string) => readFileSync(fileURLToPath(new URL(`../../grafana/provisioning/${path}`, import.meta.url)), 'utf8');
interface Query {
  refId: string;
  datasourceUid: string;
  relativeTimeRange?: { from: number; to: number };
  model: Record<string, any>;
}
interface Rule {
  uid: string;
  title: string;
  condition: string;
  data: Query[];
  noDataState: string;
  execErrState: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const file = parse(provisioning('alerting/scalehouse-alerts.yaml'), { merge: true }) as {
  apiVersion: number;
  groups: { orgId: number; name: string; folder: string; interval: string; rules: Rule[] }[];
};
const rules = file.groups.flatMap((g) => g.rules);
const datasources = (parse(provisioning('datasources/clickhouse.yaml')) as { datasources: { uid: string; type: string }[] }).datasources;
const isQuery = (q: Query) => q.datasourceUid !== '__expr__';

const M = 60_000;
const H = 60 * M;
const W = 7 * 24 * H;
// Evaluations happen at E (start of this minute), when the injected trouble is on, and 3 hours earlier, when all is normal.
const E = Math.floor(Date.now() / M) * M;
const CALM = E - 3 * H;

describe('Grafana alert provisioning', () => {
  it('is one rule group every minute in the Scalehouse folder, with unique rule uids and titles', () => {
    expect(file.apiVersion).toBe(1);
    expect(file.groups).toEqual([expect.objectContaining({ orgId: 1, folder: 'Scalehouse', interval: '1m' })]);
    expect(new Set(rules.map((r) => r.uid)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.title)).size).toBe(rules.length);
    expect(rules.map((r) => r.uid)).toEqual([
      'scalehouse-traffic-spike',
      'scalehouse-traffic-drop',
      'scalehouse-error-rate',
      'scalehouse-dead-letters',
      'scalehouse-silent-site',
      'scalehouse-bus-lag',
      'scalehouse-stalled-consumer',
      'scalehouse-batch-failures',
      'scalehouse-intake-refused',
    ]);
  });

  it.each(rules.map((r) => [r.uid, r] as const))('%s is a well-formed rule', (_uid, rule) => {
    expect(rule.uid).toMatch(/^[\w-]{1,40}$/);
    const refIds = rule.data.map((q) => q.refId);
    expect(new Set(refIds).size).toBe(refIds.length);
    expect(refIds).toContain(rule.condition);
    rule.data.forEach((q, i) => {
      expect(q.model.refId).toBe(q.refId);
      if (isQuery(q)) {
        const ds = datasources.find((d) => d.uid === q.datasourceUid);
        expect(ds, `${q.refId}: datasource ${q.datasourceUid} is provisioned`).toBeDefined();
        expect(q.model).toMatchObject({ datasource: { uid: ds!.uid, type: ds!.type }, editorType: 'sql', queryType: 'table', format: 1 });
        expect(q.relativeTimeRange!.from).toBeGreaterThan(0);
        expect(q.relativeTimeRange!.to).toBe(0);
        // Only the evaluation time: the windows are fixed offsets from it.
        const macros: string[] = q.model.rawSql.match(/\$\w+/g);
        expect(macros.length).toBeGreaterThan(0);
        expect(new Set(macros)).toEqual(new Set(['$__toTime']));
      } else {
        expect(q.model.datasource).toEqual({ type: '__expr__', uid: '__expr__' });
        expect(refIds.slice(0, i), `${q.refId} reads an earlier node`).toContain(q.model.expression);
        if (q.model.type === 'reduce') expect(q.model).toMatchObject({ reducer: 'last', settings: { mode: 'dropNN' } });
        else
          expect(q.model.conditions).toEqual([
            { evaluator: { type: expect.stringMatching(/^(gt|lt|gte|lte)$/), params: [expect.any(Number)] } },
          ]);
      }
    });
    // The queries of a rule differ only in the number they select: the same rows, so $values match A's labels.
    expect(new Set(rule.data.filter(isQuery).map((q) => q.model.rawSql.replace(/^SELECT .*\n/, ''))).size).toBe(1);
    expect(rule.data.find((q) => q.refId === rule.condition)!.model.type).toBe('threshold');
    expect(['NoData', 'Alerting', 'OK', 'KeepLast']).toContain(rule.noDataState);
    expect(['Error', 'Alerting', 'OK', 'KeepLast']).toContain(rule.execErrState);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    // Grafana expands environment variables in labels (not in annotations or queries).
    expect(Object.values(rule.labels).join('')).not.toContain('$');
    expect(rule.labels).toMatchObject({ severity: expect.stringMatching(/^(warning|critical)$/), scalehouse_alert: expect.any(String) });
    expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'summary']);
    for (const [, ref] of Object.values(rule.annotations)
      .join(' ')
      .matchAll(/\$values\.(\w+)/g))
      expect(refIds).toContain(ref);
  });

  it('has a webhook contact point template whose URL comes from the environment', () => {
    const hook = parse(provisioning('alerting/webhook.yaml.example')) as {
      contactPoints: { name: string; receivers: { type: string; settings: { url: string } }[] }[];
      policies: { receiver: string }[];
    };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana expands ${VARIABLE} from its environment in provisioning files
    const url = '${SCALEHOUSE_ALERT_WEBHOOK_URL}';
    expect(hook.contactPoints[0]!.receivers).toEqual([
      expect.objectContaining({ type: 'webhook', settings: expect.objectContaining({ url }) }),
    ]);
    expect(hook.policies).toEqual([expect.objectContaining({ receiver: hook.contactPoints[0]!.name })]);
  });
});

// ---- The data: per-minute hits of the real log, as a weekly pattern. ----

const pattern = new Array<number>(W / M).fill(0);
const lines = readCombinedLog(fixture('logs/secrepo-2021.log'));
for (const l of lines) pattern[Math.floor(((l.ts - lines[0]!.ts) % W) / M)]! += 1;
// The pattern is laid so that the last half hour before E is its busiest.
const busiest = pattern
  .map((_, k) => pattern.slice(k, k + 30).reduce((a, b) => a + b, 0))
  .reduce((best, s, k, all) => (s > all[best]! ? k : best), 0);
const patternAt = (minute: number) => pattern[((((minute - (E - 30 * M)) / M + busiest) % (W / M)) + W / M) % (W / M)]!;
const SCALE = [20, 17, 23, 19, 22]; // per week before E: weeks vary (weeks 1–4 have a median of 20.5)
const weekOf = (minute: number) => Math.floor((E - M - minute) / W);

interface Minute {
  hits: number;
  s5xx: number;
}
const traffic = new Map<string, Map<number, Minute>>();
const put = (site: string, minute: number, m: Minute) => {
  if (m.hits > 0) (traffic.get(site) ?? traffic.set(site, new Map()).get(site)!).set(minute, m);
};
const inWindow = (minute: number) => minute >= E - 30 * M && minute < E;
for (let minute = E - 5 * W; minute < E; minute += M) {
  const hits = patternAt(minute) * SCALE[weekOf(minute)]!;
  const usual = { hits, s5xx: Math.floor(hits / 40) };
  put('normal.example', minute, usual);
  put('spike.example', minute, inWindow(minute) ? { hits: hits * 3, s5xx: Math.floor((hits * 3) / 40) } : usual);
  put('drop.example', minute, inWindow(minute) ? { hits: hits / 4, s5xx: Math.floor(hits / 160) } : usual);
  put('errors.example', minute, inWindow(minute) ? { hits, s5xx: Math.floor(hits / 5) } : usual);
  if (minute < E - 2 * H) put('silent.example', minute, usual);
}
// A small site: tripled in the window and half of it errors, but under the minimum volumes.
for (let week = 1; week <= 4; week++) for (let i = 1; i <= 60; i++) put('quiet.example', E - week * W - i * M, { hits: 1, s5xx: 0 });
for (let i = 1; i <= 30; i++) put('quiet.example', E - i * M, { hits: 3, s5xx: 1 });

// Dead letters and pipeline reports, in processing time.
const stats = [
  { minute: E - 5 * M, site: 'broken.example', outcome: 'dead_letter', reason: 'unparsable', count: 7 },
  { minute: E - 20 * M, site: 'broken.example', outcome: 'dead_letter', reason: 'line_too_long', count: 5 },
  { minute: E - 3 * M, site: 'normal.example', outcome: 'dead_letter', reason: 'unparsable', count: 4 },
  { minute: E - 40 * M, site: 'normal.example', outcome: 'dead_letter', reason: 'unparsable', count: 30 },
  { minute: E - 3 * M, site: '', outcome: 'dead_letter', reason: 'no_site', count: 2 },
  { minute: E - 3 * M, site: 'normal.example', outcome: 'loaded', reason: '', count: 5000 },
];
const health = [
  // Trouble before E: lag (an older report of collector-1 and a stale instance do not count), nothing processed, failures, refusals.
  ['collector-1', 'bus_lag_hits', '', 'gauge', E - 8 * M, 90_000],
  ['collector-1', 'bus_lag_hits', '', 'gauge', E - 2 * M, 60_000],
  ['collector-2', 'bus_lag_hits', '', 'gauge', E - 3 * M, 50_000],
  ['collector-3', 'bus_lag_hits', '', 'gauge', E - 15 * M, 500_000],
  ['processor-1', 'records_processed', '', 'counter', E - 12 * M, 4000],
  ['processor-1', 'batch_failures', '', 'counter', E - 4 * M, 2],
  ['processor-1', 'batch_failures', '', 'counter', E - M, 1],
  ['processor-1', 'batch_failures', '', 'counter', E - 11 * M, 5],
  ['collector-1', 'hits_refused', 'bus_full', 'counter', E - 5 * M, 80],
  ['collector-2', 'hits_refused', 'bus_full', 'counter', E - 2 * M, 40],
  ['collector-1', 'hits_refused', 'rate_limited', 'counter', E - 2 * M, 30],
  // Kafka partitions as the whole consumer group's, reported alike by two processors: each counts once.
  ['processor-1', 'bus_lag_hits', 'partition 0', 'gauge', E - 2 * M, 30_000],
  ['processor-2', 'bus_lag_hits', 'partition 0', 'gauge', E - 3 * M, 29_000],
  ['processor-1', 'bus_stalled', 'partition 0', 'gauge', E - 2 * M, 1],
  ['processor-2', 'bus_stalled', 'partition 0', 'gauge', E - 3 * M, 1],
  // All well before CALM: little lag, records moving, one failed batch, a few refusals.
  ['collector-1', 'bus_lag_hits', '', 'gauge', CALM - 2 * M, 200],
  ['collector-2', 'bus_lag_hits', '', 'gauge', CALM - 2 * M, 100],
  ...['processor-1', 'processor-2'].flatMap((instance) => [
    [instance, 'bus_lag_hits', 'partition 0', 'gauge', CALM - 2 * M, 40],
    [instance, 'bus_lag_hits', 'partition 1', 'gauge', CALM - 2 * M, 0],
    [instance, 'bus_stalled', 'partition 0', 'gauge', CALM - 2 * M, 0],
    [instance, 'bus_stalled', 'partition 1', 'gauge', CALM - 2 * M, 0],
  ]),
  ...Array.from({ length: 10 }, (_, i) => ['processor-1', 'records_processed', '', 'counter', CALM - (i + 1) * M, 5000]),
  ['processor-1', 'batch_failures', '', 'counter', CALM - 5 * M, 1],
  ['collector-1', 'hits_refused', 'rate_limited', 'counter', CALM - 3 * M, 20],
].map(([instance, metric, reason, kind, minute, value]) => ({
  instance,
  role: String(instance).split('-')[0],
  metric,
  reason,
  kind,
  minute: minute as number,
  value: value as number,
}));

// ---- What should come out, from the rows above and the definitions. ----

type Rows = Map<string, { value: number; fires: boolean; extra?: Record<string, number> }>;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
const between = (site: string, from: number, to: number) =>
  [...(traffic.get(site) ?? new Map<number, Minute>())].filter(([m]) => m >= from && m < to).map(([, v]) => v);
function seasonal(at: number) {
  return [...traffic.keys()].flatMap((site) => {
    const windows = [0, 1, 2, 3, 4].map((week) => between(site, at - week * W - 30 * M, at - week * W));
    const oldest = Math.max(0, ...[1, 2, 3, 4].filter((week) => windows[week]!.length > 0));
    if (oldest === 0) return [];
    const [current, ...weeks] = windows.slice(0, oldest + 1).map((w) => sum(w.map((m) => m.hits)));
    return [{ site, current: current!, expected: median(weeks) }];
  });
}
const rowsOf = (xs: [string, number, boolean, Record<string, number>?][]): Rows =>
  new Map(xs.map(([key, value, fires, extra]) => [key, { value, fires, extra }]));
function inPipeline(at: number, metric: string) {
  return health.filter((h) => h.metric === metric && h.minute >= at - 10 * M && h.minute < at);
}
/** A gauge: each instance's latest report, summed over instances; a Kafka partition's counted once (the largest report). */
function gaugeAt(at: number, metric: string) {
  const latest = new Map<string, { minute: number; value: number; reason: string }>();
  for (const h of inPipeline(at, metric)) {
    const key = `${h.instance}\t${h.reason}`;
    if ((latest.get(key)?.minute ?? -1) < h.minute) latest.set(key, { ...h, reason: h.reason as string });
  }
  const byReason = new Map<string, number[]>();
  for (const h of latest.values()) byReason.set(h.reason, [...(byReason.get(h.reason) ?? []), h.value]);
  return sum([...byReason].map(([reason, values]) => (reason.startsWith('partition ') ? Math.max(...values) : sum(values))));
}
const lagAt = (at: number) => gaugeAt(at, 'bus_lag_hits');

const expected: Record<string, (at: number) => Rows> = {
  'scalehouse-traffic-spike': (at) =>
    rowsOf(
      seasonal(at)
        .filter((s) => s.current >= 100)
        .map((s) => [
          `site=${s.site}`,
          s.current / Math.max(s.expected, 1),
          s.current >= 2.5 * s.expected,
          { current: s.current, expected: s.expected },
        ]),
    ),
  'scalehouse-traffic-drop': (at) =>
    rowsOf(
      seasonal(at)
        .filter((s) => s.expected >= 100 && s.current > 0)
        .map((s) => [
          `site=${s.site}`,
          s.current / s.expected,
          s.current <= 0.4 * s.expected,
          { current: s.current, expected: s.expected },
        ]),
    ),
  'scalehouse-silent-site': (at) =>
    rowsOf(
      seasonal(at)
        .filter((s) => s.expected >= 10)
        .map((s) => [`site=${s.site}`, s.current, s.current === 0, { expected: s.expected }]),
    ),
  'scalehouse-error-rate': (at) =>
    rowsOf(
      [...traffic.keys()].flatMap((site) => {
        const now = between(site, at - 30 * M, at);
        const before = between(site, at - 30 * M - W, at - 30 * M);
        const [hits, errors] = [sum(now.map((m) => m.hits)), sum(now.map((m) => m.s5xx))];
        const usual = sum(before.map((m) => m.hits)) > 0 ? sum(before.map((m) => m.s5xx)) / sum(before.map((m) => m.hits)) : 0;
        if (hits < 100 || errors < 10) return [];
        const limit = Math.max(3 * usual, usual + 0.02);
        return [[`site=${site}`, errors / hits / limit, errors / hits >= limit, { error_rate: errors / hits, usual_rate: usual }]] as [
          string,
          number,
          boolean,
          Record<string, number>,
        ][];
      }),
    ),
  'scalehouse-dead-letters': (at) => {
    const bySite = new Map<string, number>();
    for (const s of stats)
      if (s.outcome === 'dead_letter' && s.minute >= at - 30 * M && s.minute < at)
        bySite.set(s.site || '(none)', (bySite.get(s.site || '(none)') ?? 0) + s.count);
    return rowsOf([...bySite].map(([site, n]) => [`site=${site}`, n, n >= 10]));
  },
  'scalehouse-bus-lag': (at) => rowsOf([['', lagAt(at), lagAt(at) >= 100_000]]),
  'scalehouse-stalled-consumer': (at) => {
    const stalled = lagAt(at) > 0 && (sum(inPipeline(at, 'records_processed').map((h) => h.value)) === 0 || gaugeAt(at, 'bus_stalled') > 0);
    return rowsOf([['', stalled ? lagAt(at) : 0, stalled]]);
  },
  'scalehouse-batch-failures': (at) => {
    const n = sum(inPipeline(at, 'batch_failures').map((h) => h.value));
    return rowsOf([['', n, n >= 3]]);
  },
  'scalehouse-intake-refused': (at) => {
    const byReason = new Map<string, number>();
    for (const h of inPipeline(at, 'hits_refused')) byReason.set(h.reason as string, (byReason.get(h.reason as string) ?? 0) + h.value);
    return rowsOf([...byReason].map(([reason, n]) => [`reason=${reason}`, n, n >= 100]));
  },
};

// ---- Grafana's side: the queries as the plugin runs them, then the expression nodes. ----

let ch: ClickHouse;
beforeAll(async () => {
  ch = await freshClickHouse();
  const rows = [...traffic].flatMap(([site, minutes]) =>
    [...minutes].map(([minute, m]) => ({ site, minute: minute / 1000, hits: m.hits, status_5xx: m.s5xx })),
  );
  await clientOf(ch).insert({ table: 'traffic_minute', values: rows, format: 'JSONEachRow' });
  // A moved bot visitor's hits and their retraction (stored as 2^64 - n, 0012_bot_visitors.sql), in separate parts
  // (one insert would be summed on insert): summed as UInt64 they cancel; as floats they would not.
  for (const hits of [7, '18446744073709551609']) {
    await clientOf(ch).insert({
      table: 'traffic_minute',
      values: [E - 10 * M, E - 2 * W - 10 * M].map((minute) => ({ site: 'normal.example', minute: minute / 1000, hits })),
      format: 'JSONEachRow',
    });
  }
  await clientOf(ch).insert({
    table: 'pipeline_stats',
    values: stats.map((s) => ({ ...s, minute: s.minute / 1000 })),
    format: 'JSONEachRow',
  });
  await clientOf(ch).insert({
    table: 'pipeline_health',
    values: health.map((h) => ({ ...h, minute: h.minute / 1000 })),
    format: 'JSONEachRow',
  });
});
afterAll(async () => {
  await clientOf(ch).command({ query: `DROP DATABASE IF EXISTS ${ch.database}` });
  await ch.close();
});

interface Num {
  key: string;
  labels: Record<string, string>;
  value: number | null;
}
/** A table of string columns and one number is numeric data to Grafana: one number per row, labelled by the strings. */
async function runQuery(sql: string, at: number): Promise<Num[]> {
  const expanded = expandGrafana(sql, { from: at - W, to: at + 30_000, intervalSeconds: 60, vars: {} });
  const rs = await clientOf(ch).query({
    query: expanded,
    format: 'JSONCompactEachRowWithNamesAndTypes',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const [names, types, ...rows] = (await rs.json<unknown[]>()) as [string[], string[], ...unknown[][]];
  const numeric = types.flatMap((t, i) => (/^(Nullable\()?(U?Int|Float|Decimal)/.test(t) ? [i] : []));
  expect(numeric, `one number column in ${names}`).toHaveLength(1);
  expect(
    types.filter((_, i) => i !== numeric[0]).every((t) => t === 'String'),
    `labels are strings: ${types}`,
  ).toBe(true);
  return rows.map((row) => {
    const labels = Object.fromEntries(names.flatMap((n, i) => (i === numeric[0] ? [] : [[n, String(row[i])]])));
    return {
      key: Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      labels,
      value: row[numeric[0]!] as number | null,
    };
  });
}

async function evaluate(rule: Rule, at: number) {
  const results = new Map<string, Num[]>();
  for (const q of rule.data) {
    if (isQuery(q)) {
      results.set(q.refId, await runQuery(q.model.rawSql, at));
      continue;
    }
    const input = results.get(q.model.expression)!;
    if (q.model.type === 'reduce')
      results.set(
        q.refId,
        input.filter((n) => n.value !== null && !Number.isNaN(n.value)),
      );
    else {
      const {
        type,
        params: [limit],
      } = q.model.conditions[0].evaluator;
      const test = {
        gt: (v: number) => v > limit,
        lt: (v: number) => v < limit,
        gte: (v: number) => v >= limit,
        lte: (v: number) => v <= limit,
      }[type as 'gt']!;
      results.set(
        q.refId,
        input.map((n) => ({ ...n, value: test(n.value!) ? 1 : 0 })),
      );
    }
  }
  // No rows at all is "no data", which these rules take as OK.
  const firing = results
    .get(rule.condition)!
    .filter((n) => n.value !== 0)
    .map((n) => n.key);
  return { results, firing: rule.noDataState === 'OK' || firing.length ? firing : ['NoData'] };
}

describe.each(rules.map((r) => [r.uid, r] as const))('rule %s on the real engine', (uid, rule) => {
  it.each([
    ['with the injected trouble', E],
    ['in normal times (3 hours earlier)', CALM],
  ] as const)('fires exactly where it should, %s', async (_when, at) => {
    const want = expected[uid]!(at);
    const { results, firing } = await evaluate(rule, at);
    // Every query returns the same rows (Grafana matches $values by labels), and A the value the threshold compares.
    for (const q of rule.data.filter(isQuery))
      expect(
        results
          .get(q.refId)!
          .map((n) => n.key)
          .sort(),
        q.refId,
      ).toEqual([...want.keys()].sort());
    for (const n of results.get('A')!) {
      expect(n.value, n.key).toBeCloseTo(want.get(n.key)!.value, 9);
      for (const [ref, value] of Object.entries(want.get(n.key)!.extra ?? {}))
        expect(results.get(ref)!.find((m) => m.key === n.key)!.value, `${ref} ${n.key}`).toBeCloseTo(value, 9);
      for (const [, label] of Object.values(rule.annotations)
        .join(' ')
        .matchAll(/\$labels\.(\w+)/g))
        expect(n.labels).toHaveProperty(label!);
    }
    expect(firing.sort()).toEqual(
      [...want]
        .filter(([, r]) => r.fires)
        .map(([k]) => k)
        .sort(),
    );
  });
});

it('sets the scene: each injected trouble, and nothing in normal times', async () => {
  const firingAt = async (at: number) =>
    Object.fromEntries(await Promise.all(rules.map(async (r) => [r.uid, (await evaluate(r, at)).firing] as const)));
  expect(await firingAt(E)).toEqual({
    'scalehouse-traffic-spike': ['site=spike.example'],
    'scalehouse-traffic-drop': ['site=drop.example'],
    'scalehouse-error-rate': ['site=errors.example'],
    'scalehouse-dead-letters': ['site=broken.example'],
    'scalehouse-silent-site': ['site=silent.example'],
    'scalehouse-bus-lag': [''],
    'scalehouse-stalled-consumer': [''],
    'scalehouse-batch-failures': [''],
    'scalehouse-intake-refused': ['reason=bus_full'],
  });
  expect(Object.values(await firingAt(CALM)).flat()).toEqual([]);
});
