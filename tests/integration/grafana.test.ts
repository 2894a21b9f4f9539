/**
 * The provisioned Grafana dashboards: their JSON is checked for what Grafana
 * needs, and every panel's SQL — expanded as Grafana and the ClickHouse plugin
 * would — runs on the real engine over real replayed logs and returns the
 * expected columns and sane values.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { beaconHit } from '../../common/hit.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';
import { expandGrafana } from '../helpers/grafana-macros.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = fileURLToPath(new URL('../../grafana/provisioning/dashboards/scalehouse/', import.meta.url));
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { uid: string };
  fieldConfig: { defaults: { unit: string } };
  targets: { rawSql: string; format: number }[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; includeAll?: boolean; allValue?: string }[] };
}
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(dir + f, 'utf8')) as Dashboard] as const);
const datasource = parse(
  readFileSync(fileURLToPath(new URL('../../grafana/provisioning/datasources/clickhouse.yaml', import.meta.url)), 'utf8'),
) as { datasources: { uid: string; type: string }[] };

let ch: ClickHouse;
// secrepo-2021.log: 22–28 Oct 2021.
const CTX = { from: Date.UTC(2021, 9, 22), to: Date.UTC(2021, 9, 29), intervalSeconds: 3600 };

beforeAll(async () => {
  ch = await freshClickHouse();
  await replayFile(ch, fixture('logs/secrepo-2021.log'), {
    site: 'secrepo.example',
    salts: new SaltStore(ch),
    sessionTimeoutMs: 1_800_000,
  });
  // The real log has no campaigns and no broken lines: add a few of each, inside its week.
  const extra = join(tempDir('grafana'), 'campaign.log');
  const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
  writeFileSync(
    extra,
    [
      ...Array.from(
        { length: 10 },
        (_, i) =>
          `198.51.100.${i} - - [24/Oct/2021:10:0${i}:00 +0000] "GET /offer?utm_source=newsletter&utm_medium=email&utm_campaign=autumn HTTP/1.1" 200 900 "-" "${UA}"`,
      ),
      // nginx's JSON format, which records response times.
      ...Array.from({ length: 5 }, (_, i) =>
        JSON.stringify({
          msec: String(Date.UTC(2021, 9, 24, 11, i) / 1000),
          remote_addr: `198.51.100.${50 + i}`,
          host: 'secrepo.com',
          request_method: 'GET',
          request_uri: '/timed',
          status: '200',
          body_bytes_sent: '100',
          request_time: `0.0${i + 1}0`,
          http_referer: '',
          http_user_agent: UA,
        }),
      ),
      '198.51.100.99 - - [24/Oct/2021:10:00:00 +0000] "GET /cut',
      'not a log line at all',
    ].join('\n') + '\n',
  );
  await replayFile(ch, extra, { site: 'secrepo.example', salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
  // And the beacon: pageviews and custom events.
  const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
  const beacon = (i: number, payload: Record<string, unknown>) => ({
    value: JSON.stringify(
      beaconHit(
        'secrepo.example',
        { url: 'https://secrepo.com/offer', ...payload },
        { receivedAt: Date.UTC(2021, 9, 24, 12, i), client: `198.51.100.${80 + i}`, headers: { userAgent: UA } },
      ),
    ),
    position: `beacon@${i}`,
    offset: i + 1,
  });
  await handle({
    records: [0, 1, 2].flatMap((i) => [
      beacon(2 * i, { type: 'pageview' }),
      beacon(2 * i + 1, { type: 'event', name: 'signup', props: { plan: 'pro' } }),
    ]),
    token: 'grafana-beacon',
    stream: 'beacon',
  });
});
afterAll(async () => {
  await ch.close();
});

describe('Grafana provisioning', () => {
  it('has the five dashboards, on the provisioned ClickHouse data source', () => {
    expect(dashboards.map(([f]) => f).sort()).toEqual([
      'errors-performance.json',
      'pages.json',
      'pipeline-health.json',
      'sources.json',
      'traffic-overview.json',
    ]);
    expect(datasource.datasources).toEqual([
      expect.objectContaining({ uid: 'scalehouse-clickhouse', type: 'grafana-clickhouse-datasource' }),
    ]);
    expect(new Set(dashboards.map(([, d]) => d.uid)).size).toBe(5);
  });

  it.each(dashboards)('%s is a well-formed dashboard: unique ids, panels inside the grid without overlap, variables defined', (_f, d) => {
    expect(d.title).toMatch(/^Scalehouse — /);
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    const cells = new Set<string>();
    for (const p of d.panels) {
      expect(p.datasource.uid).toBe('scalehouse-clickhouse');
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${p.title} overlaps`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
      expect(p.targets).toHaveLength(1);
      const used = [...p.targets[0]!.rawSql.matchAll(/\$\{(\w+)/g)].map((m) => m[1]);
      for (const v of used)
        expect(
          d.templating.list.map((t) => t.name),
          `${p.title} uses \${${v}}`,
        ).toContain(v);
    }
  });
});

const panels = dashboards.flatMap(([f, d]) => d.panels.map((p) => [`${f} › ${p.title}`, p, d] as const));

// The pipeline works in processing time (now), the site's data is from 2021.
const contextOf = (dash: Dashboard) =>
  dash.uid === 'scalehouse-pipeline-health' ? { from: Date.now() - 3_600_000, to: Date.now() + 60_000, intervalSeconds: 60 } : CTX;
const all = { site: 'secrepo.example', channel: '__all', device: '__all' };

async function runPanel(panel: Panel, dash: Dashboard, vars: Record<string, string>) {
  const sql = expandGrafana(panel.targets[0]!.rawSql, { ...contextOf(dash), vars });
  const rs = await clientOf(ch).query({
    query: sql,
    format: 'JSONCompactEachRowWithNamesAndTypes',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
  const [names, types, ...rows] = await rs.json<unknown[]>();
  return { names: names as string[], types: types as string[], rows };
}

describe.each(panels)('panel %s', (_name, panel, dash) => {
  const ctx = contextOf(dash);
  const run = (vars: Record<string, string>) => runPanel(panel, dash, vars);

  it('runs on real data and returns sane columns and values', async () => {
    const { names, types, rows } = await run(all);
    expect(rows.length, 'rows').toBeGreaterThan(0);
    if (panel.type === 'timeseries') {
      expect(names[0]).toBe('time');
      expect(types[0]).toMatch(/^DateTime/);
      // Wide (time, numbers…) or long (time, a label, one number), as Grafana's time series want.
      const numeric = types.slice(1).filter((t) => /Int|Float|Decimal/.test(t));
      expect(numeric.length).toBeGreaterThanOrEqual(1);
      const times = rows.map((r) => Date.parse(String(r[0]).replace(' ', 'T') + 'Z'));
      expect(times.every((t) => t >= ctx.from - 3_600_000 && t <= ctx.to)).toBe(true);
    }
    if (panel.type === 'stat') expect(rows).toHaveLength(1);
    for (const row of rows) {
      row.forEach((v, i) => {
        if (typeof v === 'number') {
          expect(v, `${names[i]}`).toBeGreaterThanOrEqual(0);
          if (/rate/.test(names[i]!)) expect(v, names[i]).toBeLessThanOrEqual(1);
        }
      });
    }
  });
});

describe.each(panels.filter(([, p]) => p.targets[0]!.rawSql.includes('${channel')))('panel %s with filters', (_name, panel, dash) => {
  const run = (vars: Record<string, string>) => runPanel(panel, dash, vars);
  it('honours the channel filter', async () => {
    const filtered = await run({ ...all, channel: 'search' });
    const everything = await run(all);
    const total = (r: unknown[][]) =>
      r.reduce((n, row) => n + row.filter((v): v is number => typeof v === 'number').reduce((a, b) => a + b, 0), 0);
    // Counts of a subset are no larger; averages and rates of a subset may be.
    const unit = panel.fieldConfig.defaults.unit;
    if (unit !== 's' && unit !== 'percentunit') expect(total(filtered.rows)).toBeLessThanOrEqual(total(everything.rows));
    // A quote in a variable value stays inside its string literal: the value matches no channel,
    // exactly like an unknown one — spliced into the SQL, its OR would match every row instead.
    const none = await run({ ...all, channel: 'no-such-channel' });
    expect(everything.rows, 'the panel must tell no channel from all channels').not.toEqual(none.rows);
    const injected = await run({ ...all, channel: "x' OR '1'='1" });
    expect(injected.rows).toEqual(none.rows);
  });
});
