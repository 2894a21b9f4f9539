/**
 * Cutting bus batches from what one Kafka fetch brought for a partition: a
 * recorded range exactly as recorded (so its token is the same), a new one
 * bounded in records and bytes — well below what one fetch returns
 * (FETCH_BYTES_PER_PARTITION), so a re-fetch from a range's first offset
 * reaches its end.
 */
import type { KafkaMessage } from 'kafkajs';
import type { BusBatch, BusRecord } from '../bus.ts';
import type { Range } from './recorded-ranges.ts';

export const FETCH_BYTES_PER_PARTITION = 16 * 1024 * 1024;
const BATCH_BYTES = 4 * 1024 * 1024;

/** Takes messages from the start until maxRecords or BATCH_BYTES is reached. */
export function cut(messages: KafkaMessage[], maxRecords: number): KafkaMessage[] {
  let bytes = 0;
  let n = 0;
  while (n < messages.length && n < maxRecords && (n === 0 || bytes + (messages[n]!.value?.length ?? 0) <= BATCH_BYTES)) {
    bytes += messages[n]!.value?.length ?? 0;
    n++;
  }
  return messages.slice(0, n);
}

/** The messages of `range` at the start of `messages`, and whether the fetch stopped short of its end. */
export function cutRecorded(messages: KafkaMessage[], range: Range): { chunk: KafkaMessage[]; short: boolean } {
  const chunk = messages.filter((m) => Number(m.offset) <= range.to);
  return { chunk, short: Number(chunk.at(-1)!.offset) < range.to };
}

export function busBatchOf(topic: string, partition: number, chunk: KafkaMessage[]): BusBatch {
  const from = Number(chunk[0]!.offset);
  const to = Number(chunk.at(-1)!.offset);
  const records: BusRecord[] = chunk.map((m) => ({
    value: m.value?.toString('utf8') ?? '',
    raw: m.value ?? undefined,
    key: m.key?.toString('utf8'),
    offset: Number(m.offset),
    position: `${topic}:${partition}@${m.offset}`,
  }));
  return { records, token: `kafka:${topic}:${partition}:${from}-${to}`, stream: `${topic}:${partition}` };
}
