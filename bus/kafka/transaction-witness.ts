/**
 * Reads the witness of a transactional producer (bus/kafka/transactional-producer.ts):
 * the offset its group holds on partition 0 of the topic is the number of the
 * last flush whose transaction committed. Transactional offsets become
 * visible in the group only with the transaction's commit marker (KIP-98),
 * so once the coordinator has finished a transaction this says whether it
 * committed. -1: none committed yet.
 */
import type { Kafka } from 'kafkajs';

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
