/**
 * Micro-benchmark (issue 27): the enrichment after parse — normalise, user
 * agent, bot verdict, referrer channel, country, visitor hash — of the same
 * 5,000-event batches of the mostly-bots bench log (build-log.ts), by the
 * JavaScript steps of processor/pipeline.ts and by the engine
 * (clickhouse/queries/stage/_enrich.sql, processor/stage/ enrichInto: into a
 * table of the engine, as the batch program keeps them), taking turns:
 * lines/s of each, median of the pairs. Parsing is done beforehand and not
 * timed; the engine's staging insert (parsed events as JSON text, a stand-in
 * for the parse step in SQL) is timed apart, and so is reading the engine's
 * rows back into JavaScript (what enrichStaged and the differential test do).
 * The engine's first turn also fills user_agents and referrer_hosts and
 * their dictionaries. Prints only.
 *
 *   npm run bench:stage-enrich            (BENCH_LINES=100000, BENCH_PAIRS=3, BENCH_BATCH=5000)
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFileSync, rmSync } from 'node:fs';
import { migrate } from '../clickhouse/migrate.ts';
import { openCountryLookup } from '../common/country.ts';
import { logHit, type Hit } from '../common/hit.ts';
import type { Event } from '../processor/event.ts';
import { STEPS, type PipelineContext } from '../processor/pipeline.ts';
import { ok, type StepResult } from '../processor/result.ts';
import { parseHit } from '../processor/steps/parse.ts';
import { SaltStore } from '../processor/state/salt-store.ts';
import { SiteHosts } from '../processor/state/site-hosts.ts';
import { enrichInto, prepareEnrich } from '../processor/stage/enrich-batch.ts';
import { clientOf } from '../clickhouse/raw-client.ts';
import { readSql } from '../clickhouse/sql.ts';
import { stagedRow, stageParsed } from '../tests/helpers/staged-events.ts';
import { buildLog } from './build-log.ts';
import { openEngine } from './open-engine.ts';
import { benchTempDir } from './temp-dir.ts';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);

const dir = benchTempDir('stage-enrich');
const logFile = join(dir, 'bots.log');
await buildLog(logFile, LINES);
const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
const parsed: { hit: Hit; event: Event }[] = [];
for (const line of lines) {
  const hit = logHit('bench.example', line, { receivedAt: Date.now() });
  const r = parseHit(hit);
  if (r.ok) parsed.push({ hit, event: r.event });
}
const batches: (typeof parsed)[] = [];
for (let i = 0; i < parsed.length; i += BATCH) batches.push(parsed.slice(i, i + BATCH));

const ch = await openEngine(join(dir, 'data'));
await migrate(ch, { rawRetentionDays: 0 });
const salts = new SaltStore(ch);
await salts.refresh(true);
const ctx: PipelineContext = { saltFor: salts.saltFor, hostsOf: new SiteHosts().hostsOf, countryOf: await openCountryLookup('') };
const AFTER_PARSE = STEPS.slice(1);

/** The JavaScript steps after parse on copies of the parsed events (copied before the clock starts), as runPipeline runs them. */
function enrichInJs(): number {
  let ms = 0;
  for (const batch of batches) {
    const events = batch.map((p) => structuredClone(p.event));
    const t0 = performance.now();
    for (const [i, ev] of events.entries()) {
      let result: StepResult = ok(ev);
      for (const step of AFTER_PARSE) {
        if (!result.ok) break;
        result = step.run(result.event, batch[i]!.hit, ctx);
      }
    }
    ms += performance.now() - t0;
  }
  return ms;
}

let staged = 0;
/**
 * The engine's turn: the batch enriched into a table of the engine (enrichInto, as the batch
 * program keeps it: the per-distinct-value work, the target table made, the INSERT … SELECT, the
 * table dropped), and apart, the same rows read back to JavaScript (enrich.sql as enrichStaged
 * reads it, JSON).
 */
async function enrichInEngine(): Promise<{ enrich: number; rowsBack: number; stage: number }> {
  const enrichSql = await readSql('queries/stage/enrich.sql');
  let enrich = 0;
  let rowsBack = 0;
  let stage = 0;
  for (const [b, batch] of batches.entries()) {
    const rows = batch.map((p, i) => stagedRow(p.event, p.hit, b * BATCH + i));
    const t0 = performance.now();
    const { stage: batchStage, parsed: name } = await stageParsed(ch, rows);
    const t1 = performance.now();
    const target = batchStage.table('enriched');
    await enrichInto(ch, batchStage, name, target, ctx);
    const t2 = performance.now();
    // Embedded, the stage's temporary tables are the handle's session's.
    const [kept] = await (await clientOf(ch).query({ query: `SELECT count() AS n FROM ${target}`, format: 'JSONEachRow' })).json<{
      n: string;
    }>();
    staged += Number(kept!.n);
    const t3 = performance.now();
    await batchStage.close();
    enrich += t2 - t1 + (performance.now() - t3);
    const again = await stageParsed(ch, rows);
    const params = await prepareEnrich(ch, again.stage, again.parsed, ctx);
    const t4 = performance.now();
    const back = await (await clientOf(ch).query({ query: enrichSql, query_params: params, format: 'JSONEachRow' })).json();
    rowsBack += performance.now() - t4;
    if (back.length !== rows.length) throw new Error(`the engine gave ${back.length} rows for ${rows.length} staged events`);
    await again.stage.close();
    stage += t1 - t0;
  }
  return { enrich, rowsBack, stage };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perSecond = (ms: number) => Math.round((parsed.length * 1000) / ms).toLocaleString('en');
const js: number[] = [];
const engine: number[] = [];
const staging: number[] = [];
const back: number[] = [];
console.log(
  `${lines.length.toLocaleString('en')} lines of the mostly-bots log, ${parsed.length.toLocaleString('en')} parsed; batches of ${BATCH}`,
);
for (let pair = 0; pair < PAIRS; pair++) {
  js.push(enrichInJs());
  const e = await enrichInEngine();
  engine.push(e.enrich);
  staging.push(e.stage);
  back.push(e.rowsBack);
  console.log(
    `pair ${pair + 1}: JavaScript ${perSecond(js.at(-1)!)} lines/s; engine ${perSecond(e.enrich)} lines/s, its rows read back to JavaScript ${perSecond(e.rowsBack)} lines/s apart; staging insert ${perSecond(e.stage)} lines/s apart`,
  );
}
console.log(
  `median of ${PAIRS}: JavaScript ${perSecond(median(js))} lines/s; engine ${perSecond(median(engine))} lines/s (${(median(js) / median(engine)).toFixed(2)}× JavaScript's); reading its rows back ${perSecond(median(back))} lines/s; staging insert ${perSecond(median(staging))} lines/s`,
);
if (staged !== parsed.length * PAIRS) throw new Error(`the engine gave ${staged} rows for ${parsed.length * PAIRS} staged events`);
await ch.close();
rmSync(dir, { recursive: true, force: true });
