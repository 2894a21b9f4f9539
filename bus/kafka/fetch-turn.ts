/**
 * A partition's turn at a fetch: how long it takes new batches from one fetch
 * before it lets the fetch end — pure; deliver-fetch.ts asks it before each
 * batch.
 *
 * kafkajs 2.2.4 fetches again only once every partition of the last fetch
 * has been handled (its fetcher awaits the whole worker queue:
 * consumer/fetcher.js, workerQueue.js), and a fetch brings up to
 * maxBytesPerPartition (16 MiB, tens of thousands of hits) of each
 * partition. So a partition that had little in the fetch — it was caught up
 * when the fetch went out — stood still, its new hits waiting, for as long as
 * its busiest sibling took over its share: such shares took up to 30 s in a
 * 300,000-line drain of the soak (tests/kafka/soak.test.ts), where one
 * partition once stood still for 29.6 s, just under the stall limit. A turn
 * bounds that wait: a partition whose turn is over takes no new batch (those
 * in flight load and commit), the fetch ends, and the next one starts at
 * every partition's committed offset, the waiting one's new hits with it.
 */

/** A tenth of the stall limit, between 1 and 5 s: far inside the limit, yet several batches a fetch (each fetch is decoded whole). */
export const fetchTurnMs = (stallMs: number): number => Math.min(5_000, Math.max(1_000, Math.round(stallMs / 10)));

/** Whether a partition that began its share of a fetch at `startedAt` and took `taken` batches of it takes no more. */
export const turnIsOver = (turn: { startedAt: number; taken: number; turnMs: number }, now: number): boolean =>
  turn.taken > 0 && now - turn.startedAt >= turn.turnMs;
