/**
 * A test double of the two-phase batch handler (bus/bus.ts TwoPhaseHandler), for the buses' pipeline
 * tests: it writes down every call ("prepare 0-5", "load 0-5", "loaded 0-5", "discard 5-10") in the
 * order they happen, can hold a load until the test lets it go (a latch), and can fail a load.
 * Batches are named by their token's last part (the range).
 */
import type { BusBatch, TwoPhaseHandler } from '../../bus/bus.ts';

export interface TwoPhaseDouble {
  handler: TwoPhaseHandler;
  /** Every call, in order. */
  events: string[];
  /** Batches loaded, in order, by the records' offsets. */
  loaded: BusBatch[];
  /** Holds the next load of the batch named `name` until `release()`. */
  hold(name: string): { release: () => void };
  /** Fails the next load of the batch named `name` once. */
  failOnce(name: string): void;
}

export const nameOf = (batch: BusBatch): string => batch.token.slice(batch.token.lastIndexOf(':') + 1);

export function twoPhaseDouble(): TwoPhaseDouble {
  const events: string[] = [];
  const loaded: BusBatch[] = [];
  const held = new Map<string, Promise<void>>();
  const failing = new Set<string>();
  const handler: TwoPhaseHandler = {
    prepare: async (batch) => {
      const name = nameOf(batch);
      events.push(`prepare ${name}`);
      return {
        load: async () => {
          events.push(`load ${name}`);
          const latch = held.get(name);
          held.delete(name);
          await latch;
          if (failing.delete(name)) {
            events.push(`failed ${name}`);
            throw new Error(`load of ${name} failed (test)`);
          }
          loaded.push(batch);
          events.push(`loaded ${name}`);
        },
        discard: async () => {
          events.push(`discard ${name}`);
        },
      };
    },
  };
  return {
    handler,
    events,
    loaded,
    hold: (name) => {
      let release!: () => void;
      held.set(name, new Promise<void>((r) => (release = r)));
      return { release: () => release() };
    },
    failOnce: (name) => failing.add(name),
  };
}
