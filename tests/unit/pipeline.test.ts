/**
 * bus/pipeline.ts on its own, with the test double of the two-phase handler: what happens when
 * recording the next range fails while the batch before it loads — on Kafka, the commit of the
 * range's metadata refused because the group rebalanced. The pipeline must give that error to its
 * caller (kafkajs then joins the group again), never leave it as an unhandled rejection, which
 * ends a Node process.
 */
import { describe, expect, it } from 'vitest';
import type { BusBatch } from '../../bus/bus.ts';
import { runPipeline, type PipelineStep } from '../../bus/pipeline.ts';
import { twoPhaseDouble } from '../helpers/two-phase-double.ts';

const batchOf = (from: number, to: number): BusBatch => ({
  records: [{ value: '', position: `test:${from}`, offset: from }],
  token: `test:${from}-${to}`,
  stream: 'test',
});

describe('the delivery pipeline', () => {
  it('throws a failure to record the next range while the last one loads, and commits nothing', async () => {
    const double = twoPhaseDouble();
    const latch = double.hold('0-5');
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const committed: string[] = [];
    const steps: PipelineStep[] = [
      { batch: batchOf(0, 5), commit: async () => void committed.push('0-5') },
      {
        batch: batchOf(5, 10),
        save: async () => {
          // Recording fails only once the first batch is loading: the rebalance came meanwhile.
          latch.release();
          throw new Error('The coordinator is not aware of this member (test)');
        },
        commit: async () => void committed.push('5-10'),
      },
    ];
    try {
      const run = runPipeline({
        handler: double.handler,
        take: async () => steps.shift(),
        keepTrying: () => true,
        onFailure: () => undefined,
      });
      await expect(run).rejects.toThrow('not aware of this member');
      // One turn of the event loop for a rejection nobody handles to be reported.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(double.events).not.toContain('prepare 5-10');
    expect(committed).toEqual([]);
  });
});
