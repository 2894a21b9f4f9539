/**
 * A batch a Kafka consumer keeps retrying because ClickHouse cannot load it
 * (a table gone: UNKNOWN_TABLE, not bad data), on a real broker: /readyz,
 * /metrics and a `batch_stuck` alert say so while it lasts, and clear once
 * the table is back and the batch loads (tests/helpers/stuck-batch.ts);
 * the watchdog leaves the consumer alone all along.
 */
import { describe, it } from 'vitest';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { checkStuckBatch } from '../helpers/stuck-batch.ts';

describe('a batch stuck on a Kafka partition', () => {
  it('says so in /readyz, /metrics and the alerts, and recovers', async () => {
    const ch = await freshClickHouse();
    // A stall limit and a watchdog far shorter than the failing: a batch failing and retried is
    // reported as the batch (one problem), and is no stall to restart the consumer for.
    const bus = await KafkaBus.open(
      kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '1', KAFKA_STALL_SECONDS: '1', KAFKA_STALL_RESTART_SECONDS: '2' }),
    );
    try {
      await checkStuckBatch(bus, ch);
    } finally {
      await bus.close();
    }
  });
});
