/**
 * A real Kafka broker for tests: KAFKA_BROKERS when set, else the project's
 * own single-node broker (scripts/kafka-broker.sh), started if it is not up.
 * Each test gets its own topics and consumer group (as kafkajs' own tests do).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../common/config.ts';
import type { Kafka } from 'kafkajs';
import { waitFor } from './wait-for.ts';
import { clfTime, TODAY } from './hits.ts';
import { tempDir } from './temp-dir.ts';

export const BROKER_SCRIPT = fileURLToPath(new URL('../../scripts/kafka-broker.sh', import.meta.url));

export function testBrokers(): string {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  execFileSync('bash', [BROKER_SCRIPT, 'start', '--port', '9092'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return '127.0.0.1:9092';
}

/** A configuration with fresh topic and group names, for one test. */
export function kafkaTestConfig(brokers: string, env: Record<string, string> = {}): Config {
  const id = randomUUID().slice(0, 8);
  return loadConfig({
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC: `test.hits.${id}`,
    KAFKA_DLQ_TOPIC: `test.dlq.${id}`,
    KAFKA_GROUP: `test-group-${id}`,
    KAFKA_PARTITIONS: '4',
    SITES: 'example.com',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

export function kafkaEnv(c: Config): Record<string, string> {
  return {
    KAFKA_BROKERS: c.KAFKA_BROKERS.join(','),
    KAFKA_TOPIC: c.KAFKA_TOPIC,
    KAFKA_DLQ_TOPIC: c.KAFKA_DLQ_TOPIC,
    KAFKA_GROUP: c.KAFKA_GROUP,
    KAFKA_PARTITIONS: String(c.KAFKA_PARTITIONS),
  };
}

export const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** An access-log line of a human visitor, unique by path. */
export const humanLine = (ip: string, path: string, second = 0) =>
  `${ip} - - [${clfTime(TODAY + 10 * 3_600_000 + (second % 3600) * 1000)}] "GET ${path} HTTP/1.1" 200 512 "-" "${CHROME}"`;

/** Every message of a topic from the beginning (keys and values as text), read by a group of its own. */
export async function readTopic(brokers: string[], topic: string, expected: number): Promise<{ key: string; value: string }[]> {
  const { Kafka } = await import('kafkajs');
  const consumer = new Kafka({ brokers, logLevel: 0 }).consumer({ groupId: `dump-${randomUUID().slice(0, 8)}` });
  const out: { key: string; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
    await waitFor(`${expected} messages of ${topic}`, async () => (out.length >= expected ? true : undefined), 30_000);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Sum of the group's committed offsets vs the topic's end: how far the group has got (all loaded when done = end). */
export async function groupProgress(
  kafka: Kafka,
  cfg: Pick<Config, 'KAFKA_TOPIC' | 'KAFKA_GROUP'>,
): Promise<{ end: number; done: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(cfg.KAFKA_TOPIC);
    const [committed] = await admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] });
    const end = ends.reduce((n, p) => n + Number(p.high), 0);
    const done = committed!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    return { end, done };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the group has committed every hit of the topic; on time-out, the error says what
 * `explain()` finds (what kafkajs logged, a processor's output) — a drain that did not finish is
 * read from what the consumers said, not from the count alone.
 */
export async function everyHitCommitted(
  kafka: Kafka,
  cfg: Pick<Config, 'KAFKA_TOPIC' | 'KAFKA_GROUP'>,
  timeoutMs: number,
  explain: () => string,
): Promise<void> {
  await waitFor(
    'every hit committed',
    async () => {
      const p = await groupProgress(kafka, cfg);
      return p.done === p.end ? true : undefined;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; ${explain()}`);
  });
}

/** A broker of a test's own (scripts/kafka-broker.sh), for tests that freeze or stop it: never the shared one. */
export interface OwnBroker {
  brokers: string;
  freeze: () => void;
  thaw: () => void;
  /** Thaws it (a frozen broker does not stop) and stops it. */
  stop: () => void;
}

export function ownBroker(): OwnBroker {
  // An even port below 30000: the broker's controller takes the next one.
  const port = 20000 + Math.floor(Math.random() * 5000) * 2;
  const dir = tempDir('broker');
  const script = (cmd: string) =>
    execFileSync('bash', [BROKER_SCRIPT, cmd, '--port', String(port), '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  script('start');
  const pid = Number(readFileSync(join(dir, 'broker.pid'), 'utf8'));
  const thaw = () => process.kill(pid, 'SIGCONT');
  return {
    brokers: `127.0.0.1:${port}`,
    freeze: () => process.kill(pid, 'SIGSTOP'),
    thaw,
    stop: () => {
      thaw();
      script('stop');
    },
  };
}
