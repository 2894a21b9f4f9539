/**
 * The parse step in the engine (processor/stage/stage-records.ts,
 * clickhouse/queries/stage/parse-records.sql) against the JavaScript one
 * (processor/steps/parse.ts) on the same bus records: every line of every
 * fixture log, as the collector wraps it (pseudonymised) and as replay does
 * (raw addresses), beacons, and the fuzz tests' hostile values. Every field
 * of every record's outcome is compared; the differences must be none.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BusRecord } from '../../bus/bus.ts';
import { decodeHit, encodeHit, type Hit } from '../../common/hit.ts';
import { emptyEvent, type Event } from '../../processor/event.ts';
import { parseHit } from '../../processor/steps/parse.ts';
import { parseStagedRecords, type StagedParse } from '../../processor/stage/stage-records.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { testLogHit, testPseudonymiser } from '../helpers/hits.ts';

const NOW = Date.now();

/** A record's outcome as compared: the engine's row without its place, its props as one object. */
type Compared = Omit<StagedParse, 'seq' | 'position' | 'offset' | 'prop_keys' | 'prop_values'> & { props: Record<string, string> };

/** What the JavaScript makes of a record, in the shape the engine answers (runRecord's first decisions, then parseHit). */
function expected(record: BusRecord): Compared {
  const base = { outcome: 'dead_letter' as const, ...fieldsOf(emptyEvent('', 0, 'log')), site: '', ts: 0 };
  const hit = record.damaged ? { invalid: record.damaged } : (record.hit ?? decodeHit(record.value));
  if ('invalid' in hit) return { ...base, reason: record.damaged ? 'damaged_record' : 'invalid_hit', detail: hit.invalid };
  if (record.cut) return { ...base, reason: 'line_too_long', detail: record.cut };
  const result = parseHit(hit);
  if (result.ok) return { outcome: 'event', reason: '', detail: '', ...fieldsOf(result.event) };
  if (!('deadLetter' in result)) throw new Error('parse does not drop');
  return { ...base, reason: result.deadLetter, detail: result.detail };
}

const fieldsOf = (ev: Event) => ({
  site: ev.site,
  ts: ev.ts,
  source: ev.source,
  event_type: ev.eventType,
  event_name: ev.eventName,
  is_pageview: ev.isPageview,
  client: ev.client ?? '',
  user_agent: ev.userAgent,
  host: ev.host,
  method: ev.method,
  path: ev.path,
  query: ev.query,
  status: ev.status,
  bytes: ev.bytes,
  request_time_ms: ev.requestTimeMs,
  upstream_time_ms: ev.upstreamTimeMs,
  timed: ev.timed,
  referrer: ev.referrer,
  language: ev.language,
  screen_width: ev.screenWidth,
  engaged_ms: ev.engagedMs,
  props: ev.props,
});

/** The engine's row in the same shape; a dead letter's event fields are not compared (the JavaScript has none). */
function actual(row: StagedParse): Compared {
  const { seq: _s, position: _p, offset: _o, prop_keys, prop_values, ...rest } = row;
  const props: Record<string, string> = {};
  prop_keys.forEach((k, i) => {
    props[k] = prop_values[i]!;
  });
  if (row.outcome === 'dead_letter')
    return { ...fieldsOf(emptyEvent('', 0, 'log')), site: '', ts: 0, outcome: row.outcome, reason: row.reason, detail: row.detail };
  return { ...rest, props } as never;
}

const records = (hits: (Hit | string)[]): BusRecord[] =>
  hits.map((h, i) => ({ value: typeof h === 'string' ? h : encodeHit(h), position: `test@${i}`, offset: i }));

async function differences(list: BusRecord[]) {
  const ch = await freshClickHouse({ migrate: false });
  const out: { record: string; js: unknown; sql: unknown }[] = [];
  for (let i = 0; i < list.length; i += 5_000) {
    const batch = list.slice(i, i + 5_000);
    const rows = await parseStagedRecords(ch, batch, NOW);
    expect(rows.map((r) => r.offset)).toEqual(batch.map((r) => r.offset));
    rows.forEach((row, j) => {
      const js = expected(batch[j]!);
      const sql = actual(row);
      if (JSON.stringify(sortProps(js)) !== JSON.stringify(sortProps(sql))) out.push({ record: batch[j]!.value.slice(0, 400), js, sql });
    });
  }
  return out;
}

const sortProps = (o: Compared): Compared => ({
  ...o,
  props: Object.fromEntries(Object.entries(o.props).sort(([a], [b]) => (a < b ? -1 : 1))),
});

// Not finished (issue 27, p1): the engine refuses parse-records.sql as it stands ("Query tree is too big",
// its aliases expand into one another); the hostile inputs and beacons are not in yet. Skipped until then.
describe.skip('parsing in the engine equals the JavaScript parse step', () => {
  it('on every line of every fixture log, raw (replay) and pseudonymised (collector)', async () => {
    const pseudonymise = testPseudonymiser();
    const hits: Hit[] = [];
    for (const file of LOG_FILES) {
      const lines = readFileSync(fixture(`logs/${file}`), 'utf8')
        .split('\n')
        .filter(Boolean);
      for (const line of lines) {
        const hit = testLogHit(line, { receivedAt: NOW, client: '192.0.2.9' });
        hits.push(hit, pseudonymise.hit(hit));
      }
    }
    const diffs = await differences(records(hits));
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(diffs.length).toBe(0);
  }, 240_000);
});
