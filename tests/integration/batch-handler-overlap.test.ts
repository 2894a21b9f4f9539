/**
 * The batch handler's rules when a stream's next batch is prepared while the last one loads
 * (bus/pipeline.ts), on the embedded engine: a prepare that must restore the stream from ClickHouse
 * waits for the stream's load still running (else it would read the sessions without that batch's),
 * and a late discard lets go only of the state its own batch left.
 */
import { describe, expect, it } from 'vitest';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { emptySessionState } from '../../processor/batch/sessionize.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { clfTime, logRecord, TODAY } from '../helpers/hits.ts';

const line = (i: number) =>
  `198.51.100.${i % 50} - - [${clfTime(TODAY + 10 * 3_600_000 + i * 1000)}] "GET /p/${i} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"`;
const batchOf = (from: number, to: number): BusBatch => ({
  records: Array.from({ length: to - from }, (_, k) => logRecord(line(from + k), from + k)),
  token: `overlap:${from}-${to}`,
  stream: 's',
});

describe('batch handler, batches in flight', () => {
  it('restores a stream only once its load in flight has landed, and a late discard keeps a later state', async () => {
    const ch = await freshClickHouse();
    const events: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { prepare } = createBatchHandler({
      ch,
      salts: new SaltStore(ch),
      sessionTimeoutMs: 30 * 60_000,
      restore: async (_stream, from) => {
        events.push(`restore ${from}`);
        return emptySessionState();
      },
      // Called once the batch's rows landed: batch 0-10's load is held here.
      deadLetter: async (_items, batch) => {
        if (batch.token === 'overlap:0-10') await held;
        events.push(`landed ${batch.token.slice('overlap:'.length)}`);
      },
    });

    const a = await prepare(batchOf(0, 10));
    const loadingA = a.load();
    const b = await prepare(batchOf(10, 20));
    // B will not load (as when the consumer that prepared it was left behind): its state goes.
    await b.discard();
    // Without state it must restore, and a restore is asked for at once (the call itself is synchronous up to it).
    const again = prepare(batchOf(10, 20));
    expect(events).toEqual(['restore 0']);
    release();
    await loadingA;
    const bAgain = await again;
    expect(events).toEqual(['restore 0', 'landed 0-10', 'restore 10']);

    // A discard of a batch whose state a later prepare replaced leaves that later state alone.
    const c = await prepare(batchOf(20, 30));
    await bAgain.discard();
    await (await prepare(batchOf(30, 40))).discard();
    await c.discard();
    expect(events.filter((e) => e.startsWith('restore'))).toEqual(['restore 0', 'restore 10']);
  });
});
