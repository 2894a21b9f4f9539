/**
 * The parse in the engine with its JavaScript fallback (processor/stage/parse-staged.ts)
 * against the JavaScript parse step alone (processor/steps/parse.ts) on the same bus records:
 * every line of every fixture log, as the collector wraps it (pseudonymised) and as replay does
 * (raw addresses), the same lines in nginx's JSON format, beacons, and the fuzz test's hostile
 * lines, beacons and values. Every field of every record's outcome is compared; the differences
 * must be none. And the fast path must be the usual one: most plain fixture lines take it.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BusRecord } from '../../bus/bus.ts';
import { beaconHit, decodeHit, encodeHit, type Hit } from '../../common/hit.ts';
import { deadLetter, type StepResult } from '../../processor/result.ts';
import { parseStaged, type StagedParse } from '../helpers/parse-staged.ts';
import { parseHit } from '../../processor/steps/parse.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { fixture, LOG_FILES } from '../helpers/fixtures.ts';
import { HOSTILE, hostileGenerator } from '../helpers/hostile-input.ts';
import { testLogHit, testPseudonymiser } from '../helpers/hits.ts';
import { addressLines, asNginxJson, edgeLines, envelopes } from '../helpers/parse-edge-lines.ts';

const NOW = Date.now();
const BATCH = 5_000;

/** The reference: what processor/batch/run-records.ts does with a record up to the pipeline, then parseHit. */
function expected(record: BusRecord): StepResult {
  const hit = record.damaged ? { invalid: record.damaged } : (record.hit ?? decodeHit(record.value));
  if ('invalid' in hit) return deadLetter(record.damaged ? 'damaged_record' : 'invalid_hit', hit.invalid);
  if (record.cut) return deadLetter('line_too_long', record.cut);
  return parseHit(hit);
}

const records = (values: (Hit | string)[], extra: Partial<BusRecord> = {}): BusRecord[] =>
  values.map((h, i) => ({ value: typeof h === 'string' ? h : encodeHit(h), position: `test@${i}`, offset: i, ...extra }));

/** Both parses of every record, in batches as the bus delivers them; the records whose outcomes differ. */
async function compare(list: BusRecord[]): Promise<{ parsed: StagedParse[]; diffs: unknown[] }> {
  const ch = await freshClickHouse({ migrate: false });
  const parsed: StagedParse[] = [];
  for (let i = 0; i < list.length; i += BATCH) parsed.push(...(await parseStaged(ch, list.slice(i, i + BATCH), NOW)));
  expect(parsed).toHaveLength(list.length);
  const diffs = list.flatMap((record, i) => {
    const js = expected(record);
    return isDeepStrictEqual(parsed[i]!.result, js) ? [] : [{ record: record.value.slice(0, 300), js, staged: parsed[i] }];
  });
  return { parsed, diffs };
}

const fixtureLines = (): string[] =>
  LOG_FILES.flatMap((f) =>
    readFileSync(fixture(`logs/${f}`), 'utf8')
      .split('\n')
      .filter(Boolean),
  );

/** What the collector and replay make of log lines: raw (the addresses in them) and pseudonymised. */
function logHits(lines: string[]): Hit[] {
  const pseudonymise = testPseudonymiser();
  return lines.flatMap((line) => {
    const hit = testLogHit(line, { receivedAt: NOW, client: '192.0.2.9' });
    return [hit, pseudonymise.hit(hit)];
  });
}

/** A line plain by the simplest test: printable ASCII, no escape in it, and parseHit makes an event of it. */
const isPlain = (hit: Hit): boolean => hit.kind === 'log' && /^[\x20-\x5b\x5d-\x7e]*$/.test(hit.line) && parseHit(hit).ok;

describe('parsing in the engine, with the JavaScript as its fallback, equals the JavaScript parse step', () => {
  it('on every line of every fixture log, raw and pseudonymised, and on them in nginx JSON; most plain lines take the fast path', async () => {
    const lines = fixtureLines();
    const hits = logHits(lines);
    const jsonHits = logHits(lines.flatMap((l, i) => asNginxJson(l, i) ?? []));
    const { parsed, diffs } = await compare(records([...hits, ...jsonHits]));
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(diffs).toHaveLength(0);
    const share = (from: number, of: Hit[]) => {
      const plain = of.flatMap((h, i) => (isPlain(h) ? [parsed[from + i]!] : []));
      return { plain: plain.length, fast: plain.filter((p) => p.fast).length, all: of.length };
    };
    const combined = share(0, hits);
    const json = share(hits.length, jsonHits);
    console.log(
      `fast path: combined ${combined.fast} of ${combined.plain} plain (${combined.all} in all); JSON ${json.fast} of ${json.plain} (${json.all})`,
    );
    // Plain lines fall back only where the visitor's address could stand in another field, or a
    // colon sits between hex digits there (an IPv6-like run: "rv:1", no; "/a:b", yes): rare in these logs.
    expect(combined.fast / combined.plain).toBeGreaterThanOrEqual(0.9);
    expect(json.fast / json.plain).toBeGreaterThanOrEqual(0.9);
  }, 240_000);

  it('on hostile log lines, lines at the edges of the fast path, beacons and bus values, and damaged or cut records', async () => {
    const gen = hostileGenerator(27);
    const lines = Array.from({ length: 1_500 }, () => gen.logLine().toString('utf8')).flatMap((l) => l.split('\n'));
    const beacons = Array.from({ length: 500 }, () => gen.beacon()).flatMap((body): Hit[] => {
      const payload: unknown = JSON.parse(body);
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return [];
      const headers = { userAgent: 'Mozilla/5.0', acceptLanguage: 'en-US,en;q=0.9' };
      return [beaconHit('fuzz.test', payload as Record<string, unknown>, { receivedAt: NOW, client: '198.51.100.7', headers })];
    });
    const values = HOSTILE.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    const plain = encodeHit(testLogHit(addressLines(NOW)[7]!, { receivedAt: NOW }));
    const list = [
      ...records([...logHits([...lines, ...addressLines(NOW), ...edgeLines(NOW)]), ...beacons, ...values]),
      ...records(envelopes(plain, NOW)),
      ...records([plain], { damaged: 'checksum mismatch' }),
      ...records([plain], { cut: 'line longer than 65536 bytes' }),
    ];
    const { parsed, diffs } = await compare(list);
    expect(diffs.slice(0, 3)).toEqual([]);
    expect(diffs).toHaveLength(0);
    console.log(`fast path: ${parsed.filter((p) => p.fast).length} of ${list.length} hostile records`);
  }, 240_000);
});
