/**
 * Enrichment in the engine (clickhouse/queries/stage/enrich.sql,
 * processor/stage/) against the JavaScript steps it is to replace
 * (processor/pipeline.ts after parse): every line of every real log and hits
 * made around the user-agent and referrer corpora and of URLs' awkward pieces
 * (tests/helpers/enrich-inputs.ts),
 * parsed by the JavaScript parse step, staged in batches of 5,000, enriched
 * by both; every outcome and every field of every event must be the same.
 */
import { describe, expect, it } from 'vitest';
import { openCountryLookup } from '../../common/country.ts';
import type { Hit } from '../../common/hit.ts';
import { runPipeline, type PipelineContext } from '../../processor/pipeline.ts';
import { parseHit } from '../../processor/steps/parse.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { SiteHosts } from '../../processor/state/site-hosts.ts';
import { enrichInto } from '../../processor/stage/enrich-batch.ts';
import { enrichStaged } from '../helpers/enrich-staged.ts';
import { outcomeOf } from '../helpers/enriched-outcome.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { awkwardHits, corpusHits, logFileHits, SITE_HOSTS } from '../helpers/enrich-inputs.ts';
import { stagedRow, stageParsed } from '../helpers/staged-events.ts';

const BATCH = 5000;

/**
 * What the JavaScript steps make of a hit, in the shape enrichedOutcome gives the engine's rows; the host of an
 * event counts as its site's own from then on, as processor/batch/run-records.ts learns it.
 */
function jsOutcome(hit: Hit, ctx: PipelineContext & { learnHost?: (site: string, host: string) => void }, offset: number) {
  const r = runPipeline(hit, ctx);
  if (r.ok && r.event.host) ctx.learnHost?.(r.event.site, r.event.host);
  if (r.ok) return { offset, kind: 'event', event: r.event };
  if ('drop' in r) return { offset, kind: 'dropped', reason: r.drop, event: r.event, detail: r.detail };
  return { offset, kind: 'dead_letter', reason: r.deadLetter, detail: r.detail };
}

describe('enrichment in the engine', () => {
  it('equals the JavaScript steps on every line of the real logs and the corpora: every outcome, every field', async () => {
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch);
    await salts.refresh(true);
    const hosts = new SiteHosts(SITE_HOSTS);
    const ctx = { saltFor: salts.saltFor, hostsOf: hosts.hostsOf, countryOf: await openCountryLookup(''), learnHost: hosts.learn };

    const hits = [...logFileHits(), ...corpusHits(), ...awkwardHits(20_000)];
    const parsedHits = hits.map((hit) => parseHit(hit));
    const staged = hits.flatMap((hit, offset) => {
      const parsed = parsedHits[offset]!;
      return parsed.ok ? [stagedRow(parsed.event, hit, offset)] : [];
    });
    const actual = new Map<number, ReturnType<typeof outcomeOf>>();
    const expected: ReturnType<typeof jsOutcome>[] = [];
    for (let i = 0, from = 0; i < staged.length; i += BATCH) {
      const { stage, parsed } = await stageParsed(ch, staged.slice(i, i + BATCH));
      for (const row of await enrichStaged(ch, stage, parsed, ctx)) actual.set(Number(row.offset), outcomeOf(row));
      await stage.close();
      // The JavaScript steps over the same hits, after the engine's turn: the hosts it learns count from the next batch on.
      const to = i + BATCH < staged.length ? staged[i + BATCH]!.offset : hits.length;
      for (; from < to; from++) expected.push(jsOutcome(hits[from]!, ctx, from));
    }

    // A hit the parse step refuses never reaches the stage: it is the same dead letter either way.
    const parsedOut = expected.filter((e) => !actual.has(e.offset));
    expect(parsedOut.every((e) => e.kind === 'dead_letter')).toBe(true);
    const differences = expected
      .filter((e) => actual.has(e.offset))
      .filter((e) => JSON.stringify(e) !== JSON.stringify(actual.get(e.offset)))
      .map((e) => ({ hit: hits[e.offset], js: e, sql: actual.get(e.offset) }));
    const kinds = (list: { kind: string; reason?: string }[]) => {
      const counts = new Map<string, number>();
      for (const o of list) counts.set(`${o.kind} ${o.reason ?? ''}`.trim(), (counts.get(`${o.kind} ${o.reason ?? ''}`.trim()) ?? 0) + 1);
      return [...counts].map(([k, n]) => `${k}: ${n}`);
    };
    console.log(`${hits.length} hits, ${staged.length} staged; outcomes: ${kinds([...actual.values()]).join(', ')}`);
    expect(differences.slice(0, 5)).toEqual([]);
    expect(differences.length).toBe(0);
    expect(actual.size).toBe(staged.length);
    // Each distinct user agent was classified once, in the batch that first brought it.
    const [agents] = await rows<{ rows: number; distinct: number }>(
      ch,
      'SELECT count() AS rows, uniqExact(user_agent) AS distinct FROM user_agents',
    );
    expect(agents).toEqual({
      rows: new Set(staged.map((s) => s.user_agent)).size,
      distinct: new Set(staged.map((s) => s.user_agent)).size,
    });
    expect(await rows(ch, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'stage_%'")).toEqual([]);
  }, 300_000);

  it('keeps in a table of the engine the same rows it reads back (enrichInto and enrichStaged share one SELECT)', async () => {
    const ch = await freshClickHouse();
    const salts = new SaltStore(ch);
    await salts.refresh(true);
    const ctx: PipelineContext = {
      saltFor: salts.saltFor,
      hostsOf: new SiteHosts(SITE_HOSTS).hostsOf,
      countryOf: await openCountryLookup(''),
    };
    // One batch of every kind of input: log lines, beacons, the corpora, odd referrers and UTM values.
    const hits = [...logFileHits().slice(0, 3000), ...corpusHits().slice(0, 1000), ...awkwardHits(1000)];
    const staged = hits.flatMap((hit, offset) => {
      const parsed = parseHit(hit);
      return parsed.ok ? [stagedRow(parsed.event, hit, offset)] : [];
    });
    const { stage, parsed } = await stageParsed(ch, staged);
    const read = await enrichStaged(ch, stage, parsed, ctx);
    const target = stage.table('enriched');
    await enrichInto(ch, stage, parsed, target, ctx);
    // The stage's tables are temporary tables of the handle's session, which an embedded handle has one of.
    const kept = await rows(ch, `SELECT * FROM ${target} ORDER BY offset`);
    expect(new Set(read.map((r) => r.outcome))).toEqual(new Set(['event', 'dropped']));
    expect(kept.length).toBe(staged.length);
    expect(kept).toEqual(read);
    await stage.close();
    expect(await rows(ch, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'stage_%'")).toEqual([]);
  }, 120_000);
});
