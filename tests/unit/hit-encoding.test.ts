/** One encoding of a Hit for every bus and batch: what encodeHit writes, decodeHit reads back whole. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { beaconHit, decodeHit, encodeHit, logHit } from '../../common/hit.ts';
import { pipelineSink } from '../../collector/tail/sinks.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { fixture } from '../helpers/fixtures.ts';
import { testPseudonymiser } from '../helpers/hits.ts';

const LINES = readFileSync(fixture('logs/hackers-access.log'), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .slice(0, 200);

describe('encodeHit', () => {
  it('round-trips every log hit of a real access log through decodeHit', () => {
    for (const [i, line] of LINES.entries()) {
      const hit = logHit('example.com', line, { receivedAt: 1_700_000_000_000 + i, client: '192.0.2.1' });
      expect(decodeHit(encodeHit(hit))).toEqual(hit);
    }
  });

  it('round-trips a beacon hit, its headers and payload (a lone surrogate already cleaned by the builder)', () => {
    const hit = beaconHit(
      'example.com',
      { u: 'https://example.com/\ud800', props: { plan: 'pro', n: 3 } },
      {
        receivedAt: 1_700_000_000_000,
        client: '2001:db8::1',
        headers: { userAgent: 'Mozilla/5.0', acceptLanguage: 'de', optOut: false, country: 'DE' },
      },
    );
    expect(decodeHit(encodeHit(hit))).toEqual(hit);
  });

  it('is what scalehouse tail hands the pipeline: the pseudonymised hit, encoded', async () => {
    const pseudonymiser = testPseudonymiser();
    const hits = LINES.slice(0, 3).map((line, i) => logHit('example.com', line, { receivedAt: 1_700_000_000_000 + i }));
    let batch: BusBatch | undefined;
    await pipelineSink(async (b) => {
      batch = b;
    }, pseudonymiser).send(hits, { token: 't', stream: 'tail', offsets: [0, 1, 2], positions: ['a', 'b', 'c'], end: 3, cuts: [] });
    expect(batch!.records.map((r) => r.value)).toEqual(hits.map((h) => encodeHit(pseudonymiser.hit(h))));
  });
});
