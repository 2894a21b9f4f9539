/**
 * A batch a Kafka consumer keeps retrying because ClickHouse cannot load it
 * (a table gone: UNKNOWN_TABLE, not bad data), on a real broker: /readyz,
 * /metrics and a `batch_stuck` alert say so while it lasts, and clear once
 * the table is back and the batch loads (tests/helpers/stuck-batch.ts).
 */
import { describe, it } from 'vitest';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { checkStuckBatch } from '../helpers/stuck-batch.ts';

describe('a batch stuck on a Kafka partition', () => {
  it('says so in /readyz, /metrics and the alerts, and recovers', async () => {
    const ch = await freshClickHouse();
    const bus = await KafkaBus.open(kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '1' }));
    try {
      await checkStuckBatch(bus, ch);
    } finally {
      await bus.close();
    }
  });
});
