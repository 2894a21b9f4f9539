/**
 * The kafkajs client and the topics Scalehouse needs. Topics are created if
 * missing (an existing topic is left as it is): the hits topic with a short
 * retention, since raw hits hold IP addresses, and the dead-letter topic.
 */
import { Kafka, logLevel, type Admin, type logCreator } from 'kafkajs';
import type { Config } from '../../common/config.ts';
import { log } from '../../common/log.ts';

export type KafkaConfig = Pick<
  Config,
  | 'KAFKA_BROKERS'
  | 'KAFKA_CLIENT_ID'
  | 'KAFKA_TOPIC'
  | 'KAFKA_DLQ_TOPIC'
  | 'KAFKA_GROUP'
  | 'KAFKA_PARTITIONS'
  | 'KAFKA_REPLICATION_FACTOR'
  | 'KAFKA_RETENTION_HOURS'
  | 'KAFKA_PUBLISH_TIMEOUT_MS'
  | 'KAFKA_LINGER_MS'
  | 'KAFKA_STALL_SECONDS'
  | 'KAFKA_STALL_RESTART_SECONDS'
  | 'KAFKA_SESSION_TIMEOUT_MS'
>;

// kafkajs logs every reconnect attempt at ERROR; the bus reports what matters itself.
const toLog: logCreator =
  () =>
  ({ level, log: entry }) => {
    const { message, ...fields } = entry;
    if (level <= logLevel.ERROR) log.debug(`kafkajs: ${message}`, { error: fields.error, broker: fields.broker });
    else if (level === logLevel.WARN) log.debug(`kafkajs: ${message}`);
  };

export function createKafka(cfg: KafkaConfig): Kafka {
  return new Kafka({
    clientId: cfg.KAFKA_CLIENT_ID,
    brokers: cfg.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
    logCreator: toLog,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
  });
}

export async function ensureTopics(admin: Admin, cfg: KafkaConfig): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const hour = 3_600_000;
  const wanted = [
    { topic: cfg.KAFKA_TOPIC, numPartitions: cfg.KAFKA_PARTITIONS, retentionMs: cfg.KAFKA_RETENTION_HOURS * hour },
    // Dead letters are kept longer than hits, to be looked at and replayed; they hold IPs too.
    { topic: cfg.KAFKA_DLQ_TOPIC, numPartitions: 1, retentionMs: 7 * 24 * hour },
  ].filter((t) => !existing.has(t.topic));
  if (wanted.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: wanted.map((t) => ({
      topic: t.topic,
      numPartitions: t.numPartitions,
      replicationFactor: cfg.KAFKA_REPLICATION_FACTOR,
      configEntries: [
        { name: 'retention.ms', value: String(t.retentionMs) },
        // With acks=all, a write is acknowledged only when this many replicas have it.
        { name: 'min.insync.replicas', value: String(Math.min(2, cfg.KAFKA_REPLICATION_FACTOR)) },
      ],
    })),
  });
  log.info('created Kafka topics', { topics: wanted.map((t) => t.topic) });
}
