/**
 * What a consumer says of the batches it keeps retrying (bus/failing-batches.ts),
 * on a clock of the test's own: since the first failed attempt of the same
 * batch, attempts counted, the last error masked of addresses, a stream's
 * next batch starting afresh, and nothing once loaded.
 */
import { expect, it } from 'vitest';
import { FailingBatches } from '../../bus/failing-batches.ts';

it('tells since when, how many attempts and the last error, masked, per stream', () => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const failing = new FailingBatches(() => now);
  expect([failing.problems(), failing.gauges()]).toEqual([[], { failingSeconds: 0, attempts: 0 }]);

  failing.failed('p0', 'kafka:t:0:10-19', new Error('connect ECONNREFUSED 10.1.2.3:8123'));
  now += 4_000;
  failing.failed('p0', 'kafka:t:0:10-19', new Error('connect ECONNREFUSED [2001:db8::7]:8123'));
  now += 1_000;
  failing.failed('p1', 'kafka:t:1:0-9', 'Table scalehouse.sessions does not exist');
  now += 5_000;
  expect(failing.problems()).toEqual([
    'batch kafka:t:0:10-19 not loaded since 2026-12-07T10:00:00.000Z (10 s, 2 attempts; the hits behind it wait), last error: connect ECONNREFUSED [[ip]]:8123',
    'batch kafka:t:1:0-9 not loaded since 2026-12-07T10:00:05.000Z (5 s, 1 attempt; the hits behind it wait), last error: Table scalehouse.sessions does not exist',
  ]);
  expect(failing.gauges()).toEqual({ failingSeconds: 10, attempts: 3 });

  // The partition's next batch (after a rebalance, say) fails on a clock of its own.
  failing.failed('p0', 'kafka:t:0:20-29', new Error('Timeout error.'));
  failing.cleared('p1');
  expect(failing.list()).toEqual([{ batch: 'kafka:t:0:20-29', since: now, attempts: 1, error: 'Timeout error.', retriable: true }]);
  failing.cleared('p0');
  expect([failing.problems(), failing.gauges()]).toEqual([[], { failingSeconds: 0, attempts: 0 }]);
});
