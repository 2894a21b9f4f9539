/**
 * The witness of a transactional producer (bus/kafka/transactional-producer.ts):
 * each transaction also commits, for a group of the producer's own, an
 * offset on partition 0 of the topic — the number of its flush. Transactional
 * offsets become visible in the group only with the transaction's commit
 * marker (KIP-98), so once the coordinator has finished a transaction the
 * witness says whether it committed. That settles the one case a failed call
 * cannot: a commit sent whose answer was lost.
 */
import type { Kafka, Producer } from 'kafkajs';
import { BusUnavailableError, errorMessage } from '../../common/errors.ts';
import { log } from '../../common/log.ts';

/** The number of the last flush whose transaction committed; -1: none yet. */
export async function readWitness(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const p0 = offsets?.partitions.find((p) => p.partition === 0);
    return p0 ? Number(p0.offset) : -1;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface LostCommit {
  kafka: Kafka;
  group: string;
  topic: string;
  /** The flush whose commit's answer was lost. */
  flush: number;
  cause: unknown;
  /** Throws away the producer and makes a new one under the same transactional id. */
  fresh: () => Promise<Producer>;
  /** How long to keep asking: past the transaction timeout the coordinator has finished it anyway. */
  untilMs: number;
}

/**
 * Resolves if the transaction committed, rejects (BusUnavailableError) if it did not or if Kafka did not
 * say so in time. A new producer's InitProducerId returns only once the coordinator has finished the
 * transaction either way (it answers CONCURRENT_TRANSACTIONS meanwhile, which kafkajs retries).
 */
export async function settleLostCommit(c: LostCommit): Promise<void> {
  let producer = await c.fresh();
  const until = Date.now() + c.untilMs;
  let last: unknown = c.cause;
  while (Date.now() < until) {
    try {
      await producer.connect();
      // An empty transaction: kafkajs sends InitProducerId and, with nothing in it, no EndTxn.
      await (await producer.transaction()).abort();
      if ((await readWitness(c.kafka, c.group, c.topic)) >= c.flush) return;
      throw new BusUnavailableError(`Kafka did not commit the hits: ${errorMessage(c.cause)}`, c.cause);
    } catch (err) {
      if (err instanceof BusUnavailableError) throw err;
      last = err;
      producer = await c.fresh();
    }
  }
  log.warn('Kafka did not say whether it committed a batch of hits: answered 503, a retry may count them twice', {
    error: errorMessage(last),
  });
  throw new BusUnavailableError(`Kafka did not say whether it committed the hits: ${errorMessage(last)}`, last);
}
