/**
 * The differential test of issue 27: the batch program that does the per-line work in the engine
 * ('engine') against today's JavaScript program ('javascript'), kept as the reference until the
 * new one equals it. The same records — every fixture log as the collector puts it on a bus with
 * beacons that twin its pageviews, and as `scalehouse replay` hands it over
 * (tests/helpers/differential-input.ts) — in the same batches under the same tokens go through a
 * batch handler of each program, each on a fresh database with the same salts; then every table
 * is compared row for row (tests/helpers/table-snapshot.ts): in one piece, shuffled within the
 * reorder window in batches, and through processors that die and restore their state from
 * ClickHouse, some getting their last batch again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openCountryLookup, type CountryOf } from '../../common/country.ts';
import { createBatchHandler, type HandlerDeps } from '../../processor/batch/batch-handler.ts';
import { HostStore } from '../../processor/state/host-store.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { deliver, planDeliveries, type Cut, type Delivery } from '../helpers/deliver-batches.ts';
import { differentialStreams, hostileStream, type InputStream } from '../helpers/differential-input.ts';
import { SITE_HOSTS } from '../helpers/enrich-inputs.ts';
import { seededSalts } from '../helpers/seeded-salts.ts';
import { diffTables } from '../helpers/table-diff.ts';
import { snapshotTables, type TableRows } from '../helpers/table-snapshot.ts';

const TIMEOUT = 30 * 60_000;

const everyStream = () => true;
const collectorStreams = (s: InputStream) => s.name.startsWith('collector:');
/**
 * A batch costs ~0.2 s of loading here whatever its size, so the batches are fewer than the tests
 * of sessions use (100 lines): 250 lines for the collector's streams (every log, with its beacons)
 * shuffled, and 1,000 of every stream through dying processors, to stay near a minute in all.
 */
const VARIANTS: [string, Cut, (s: InputStream) => boolean][] = [
  ['in one piece', { batchSize: Number.MAX_SAFE_INTEGER }, everyStream],
  ["shuffled within the reorder window, in batches of 250 (the collector's streams)", { batchSize: 250, shuffle: 7 }, collectorStreams],
  [
    'shuffled, in batches of 1,000, through processors that die and restore, some getting their batch again',
    { batchSize: 1_000, shuffle: 42, redoEvery: 3, restartEvery: 4 },
    everyStream,
  ],
];

/** Tables the input must leave rows in, or the comparison would hold for the wrong reason. */
const FILLED = [
  'events',
  'sessions',
  'bots_minute',
  'bot_hit_samples',
  'bot_visitors',
  'traffic_minute',
  'pages_hour',
  'dead_letters',
  'pipeline_stats',
  'site_hosts',
];

let countryOf: CountryOf;
let streams: InputStream[];
beforeAll(async () => {
  countryOf = await openCountryLookup('');
  streams = differentialStreams(Date.now(), countryOf);
});

/** The values of `column` in the rows of `table`. */
const valuesOf = (tables: Map<string, TableRows>, table: string, column: string): unknown[] => {
  const t = tables.get(table)!;
  const at = t.columns.indexOf(column);
  return t.rows.map((r) => (JSON.parse(r) as unknown[])[at]);
};

/** The deliveries through handlers of `program` on a fresh database: its tables afterwards. */
async function tablesAfter(program: HandlerDeps['program'], deliveries: Delivery[]): Promise<Map<string, TableRows>> {
  const ch = await freshClickHouse();
  const salts = await seededSalts(ch);
  // A new processor has nothing in memory but what ClickHouse and its configuration give it.
  const newHandler = () =>
    createBatchHandler({ ch, salts, hosts: new HostStore(ch, SITE_HOSTS), countryOf, sessionTimeoutMs: TIMEOUT, program }).handle;
  await deliver(deliveries, newHandler);
  const tables = await snapshotTables(ch);
  await ch.close();
  return tables;
}

describe.each(VARIANTS)('the engine program leaves every table as the JavaScript program does: %s', (name, cut, which) => {
  it('row for row', async () => {
    const deliveries = planDeliveries(streams.filter(which), cut);
    const reference = await tablesAfter('javascript', deliveries);
    const engine = await tablesAfter('engine', deliveries);
    const diff = diffTables(reference, engine, ['javascript', 'engine']);
    expect(diff.length, `the programs differ:\n${diff.join('\n')}`).toBe(0);
    expect(FILLED.filter((t) => !reference.get(t)?.rows.length)).toEqual([]);
    // Beacons paired with log lines, and countries from the collector's lookup and the processor's.
    const twins = valuesOf(reference, 'events', 'twin').filter((t) => t === 1).length;
    const countries = new Set(valuesOf(reference, 'events', 'country')).size;
    expect(twins).toBeGreaterThan(100);
    expect(countries).toBeGreaterThan(20);
    const counts = [...reference].map(([t, r]) => `${t} ${r.rows.length}`).join(', ');
    const deaths = deliveries.filter((d) => d.then).length;
    if (cut.redoEvery) expect(deaths).toBeGreaterThan(10);
    console.log(
      `${name}: ${deliveries.length} batches, ${deaths} deaths; rows compared: ${counts}; ${twins} twins, ${countries} countries`,
    );
  }, 300_000);
});

describe('the engine program leaves every table as the JavaScript program does: on hostile input', () => {
  it("row for row, on the fuzz test's log lines and beacons, in batches of 500 through processors that die and restore", async () => {
    const deliveries = planDeliveries([hostileStream(1_500, 27, Date.now())], { batchSize: 500, redoEvery: 2, restartEvery: 3 });
    const reference = await tablesAfter('javascript', deliveries);
    const engine = await tablesAfter('engine', deliveries);
    const diff = diffTables(reference, engine, ['javascript', 'engine']);
    expect(diff.length, `the programs differ:\n${diff.join('\n')}`).toBe(0);
    // Hostile values make events, bots and dead letters alike, so all three are compared.
    expect(['events', 'dead_letters', 'pipeline_stats'].filter((t) => !reference.get(t)?.rows.length)).toEqual([]);
    const outcomes = new Set(valuesOf(reference, 'pipeline_stats', 'outcome'));
    expect([...outcomes].sort()).toEqual(['dead_letter', 'dropped', 'event']);
  }, 300_000);
});
