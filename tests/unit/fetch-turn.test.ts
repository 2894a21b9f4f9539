/**
 * A partition's turn at a fetch (bus/kafka/fetch-turn.ts): how long it takes
 * new batches from one fetch, on a clock of the test's own.
 */
import { describe, expect, it } from 'vitest';
import { fetchTurnMs, turnIsOver } from '../../bus/kafka/fetch-turn.ts';

describe('fetchTurnMs', () => {
  it('is a tenth of the stall limit, between 1 and 5 s', () => {
    expect(fetchTurnMs(30_000)).toBe(3_000);
    expect(fetchTurnMs(1_000)).toBe(1_000);
    expect(fetchTurnMs(15_000)).toBe(1_500);
    expect(fetchTurnMs(86_400_000)).toBe(5_000);
  });
});

describe('turnIsOver', () => {
  const turn = { startedAt: 10_000, turnMs: 3_000 };
  it('takes batches until the turn has passed', () => {
    expect(turnIsOver({ ...turn, taken: 4 }, 12_999)).toBe(false);
    expect(turnIsOver({ ...turn, taken: 4 }, 13_000)).toBe(true);
  });
  it('always lets a partition take one batch of a fetch, however late: a fetch moves every partition on', () => {
    expect(turnIsOver({ ...turn, taken: 0 }, 60_000)).toBe(false);
  });
});
