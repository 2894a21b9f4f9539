/**
 * Failures on a real broker: a processor killed with SIGKILL mid-stream, and
 * the broker itself stopped and restarted under load. Afterwards ClickHouse
 * holds exactly the acknowledged hits; during the outage the collector
 * answered 503, never 2xx.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Kafka } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { startProcessor } from '../../processor/consumer.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { Hit } from '../../common/hit.ts';
import { testLogHit } from '../helpers/hits.ts';
import type { Config } from '../../common/config.ts';
import { dataDirClickHouse, freshClickHouse, LANDED_HITS, rows } from '../helpers/clickhouse.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { BROKER_SCRIPT, CHROME, groupProgress, humanLine, kafkaEnv, kafkaTestConfig, readTopic, testBrokers } from '../helpers/kafka.ts';
import { freePort, startProcessorProcess } from '../helpers/app-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const processorProcess = (cfg: Config, dataDir: string, port: number) =>
  startProcessorProcess({ ...kafkaEnv(cfg), DATA_DIR: dataDir, PORT: String(port), BATCH_MAX_HITS: '50' });

describe('failures with Kafka', () => {
  it('a processor killed with SIGKILL mid-stream and restarted leaves exactly the published hits, and its dead letters on the DLQ topic', async () => {
    const cfg = kafkaTestConfig(testBrokers());
    const bus = await KafkaBus.open(cfg);
    const visitors = Array.from({ length: 100 }, (_, v) => `203.0.113.${v + 1}`);
    const hits: Hit[] = [];
    for (let round = 0; round < 20; round++) {
      visitors.forEach((ip, v) => hits.push(testLogHit(humanLine(ip, `/v${v}/r${round}`, round * 30), { receivedAt: Date.now() })));
    }
    for (let i = 0; i < hits.length; i += 500) await bus.publish(hits.slice(i, i + 500)); // acknowledged by Kafka
    const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 });
    // Two records no processor can use, after the hits. The processor runs on its own thread; the
    // DLQ producer belongs to the bus, on the main thread: these cross between the two.
    const producer = kafka.producer();
    await producer.connect();
    const poison = ['not json', '{"v":99,"kind":"log"}'];
    await producer.send({ topic: cfg.KAFKA_TOPIC, messages: poison.map((value) => ({ key: 'poison', value })) });
    await producer.disconnect();
    const dataDir = tempDir('processor');
    const port = await freePort();

    let proc = processorProcess(cfg, dataDir, port);
    const mid = await waitFor(
      'the processor to be part-way through',
      async () => {
        const p = await groupProgress(kafka, cfg);
        return p.done > 0 ? p : undefined;
      },
      60_000,
    );
    proc.child.kill('SIGKILL');
    await within('the processor to die', proc.exited);
    expect(mid.done).toBeLessThan(2000); // killed mid-stream, not after the end

    proc = processorProcess(cfg, dataDir, port);
    await waitFor(
      `all 2002 committed (processor output: ${proc.output()})`,
      async () => {
        const p = await groupProgress(kafka, cfg);
        // The end counts the commit markers of the publisher's transactions too, one per partition each.
        return p.done === p.end && p.end >= 2002 ? true : undefined;
      },
      90_000,
    );
    proc.child.kill('SIGTERM'); // graceful: finish the batch, commit, leave the group
    expect(await within('the processor to exit after SIGTERM', proc.exited)).toBe(0);
    await bus.close();

    const ch = await dataDirClickHouse(dataDir);
    expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: 2000, paths: 2000 }]);
    expect(await rows(ch, 'SELECT sum(hits) AS n FROM traffic_minute')).toEqual([{ n: 2000 }]);
    // A visitor's 20 hits, 30 s apart, are one session even though the processor died in the middle of it.
    expect(await rows(ch, 'SELECT count() AS n, min(hits) AS lo, max(hits) AS hi FROM sessions FINAL')).toEqual([
      { n: 100, lo: 20, hi: 20 },
    ]);
    expect(await rows(ch, 'SELECT reason, count() AS n FROM dead_letters GROUP BY reason')).toEqual([{ reason: 'invalid_hit', n: 2 }]);
    // The DLQ topic is written at least once: a batch redone after the kill may send its dead letters again.
    const dlq = await readTopic(cfg.KAFKA_BROKERS, cfg.KAFKA_DLQ_TOPIC, 2);
    expect(new Set(dlq.map((m) => m.value))).toEqual(new Set(poison));
    await ch.close();
  });

  it('the broker stopped and restarted under load: 503 during the outage, every 2xx hit loaded exactly once', async () => {
    // A broker of this test's own, since it is stopped and started.
    const port = 20000 + Math.floor(Math.random() * 10000) * 2;
    const dir = tempDir('broker');
    const broker = (cmd: string) =>
      execFileSync('bash', [BROKER_SCRIPT, cmd, '--port', String(port), '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    broker('start');
    try {
      // Four senders as fast as they can from one address: no beacon rate limit, this test is about Kafka.
      const cfg = kafkaTestConfig(`127.0.0.1:${port}`, { KAFKA_PUBLISH_TIMEOUT_MS: '1500', BEACON_RATE_PER_CLIENT: '0' });
      const ch = await freshClickHouse();
      const collectorBus = await KafkaBus.open(cfg);
      const app = collectorApp({ config: cfg, bus: collectorBus, ingestToken: 't', peerAddress: () => '198.51.100.1' });
      const processorBus = await KafkaBus.open(cfg);
      await startProcessor({ bus: processorBus, ch, salts: new SaltStore(ch), sessionTimeoutMs: 30 * 60_000, maxRecords: 100 });

      type Answer = { path: string; status: number; sent: number; answered: number };
      const answers: Answer[] = [];
      let phase: 'before' | 'down' | 'after' = 'before';
      let stopAt = 0;
      const senders = Array.from({ length: 4 }, async (_, s) => {
        for (let i = 0; phase !== 'after' || answers.filter((a) => a.sent > stopAt && a.status === 202).length < 200; i++) {
          const path = `/s${s}/${i}`;
          const sent = Date.now();
          const res = await app.request('/api/event', {
            method: 'POST',
            body: JSON.stringify({ site: 'example.com', url: `https://example.com${path}` }),
            headers: { 'content-type': 'application/json', 'user-agent': CHROME, 'x-forwarded-for': `192.0.2.${s}` },
          });
          answers.push({ path, status: res.status, sent, answered: Date.now() });
          if (answers.length > 20_000) throw new Error('sending did not converge');
        }
      });
      await waitFor('load before the outage', async () => (answers.filter((a) => a.status === 202).length >= 300 ? true : undefined));
      broker('stop');
      const downFrom = Date.now();
      phase = 'down';
      await waitFor(
        '503s during the outage',
        async () => (answers.filter((a) => a.sent > downFrom && a.status === 503).length >= 8 ? true : undefined),
        30_000,
      );
      const downUntil = Date.now();
      broker('start');
      stopAt = Date.now();
      phase = 'after';
      await Promise.all(senders);

      const during = answers.filter((a) => a.sent > downFrom && a.answered < downUntil);
      expect(during.length).toBeGreaterThan(0);
      expect(during.filter((a) => a.status !== 503)).toEqual([]);
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 503]));

      const acked = answers.filter((a) => a.status === 202).map((a) => a.path);
      await waitFor(
        'every acknowledged hit in ClickHouse',
        async () => {
          const n = Number(
            (
              await rows<{ n: number }>(ch, `SELECT count() AS n FROM ${LANDED_HITS} WHERE path IN {paths:Array(String)}`, { paths: acked })
            )[0]!.n,
          );
          return n >= acked.length ? true : undefined;
        },
        90_000,
      );
      const counts = await rows<{ path: string; n: number }>(ch, `SELECT path, count() AS n FROM ${LANDED_HITS} GROUP BY path`);
      const byPath = new Map(counts.map((r) => [r.path, Number(r.n)]));
      expect(acked.filter((p) => byPath.get(p) !== 1)).toEqual([]);
      expect(counts.filter((r) => Number(r.n) !== 1)).toEqual([]);

      await processorBus.close();
      await collectorBus.close();
      await ch.close();
    } finally {
      broker('stop');
    }
  });
});
