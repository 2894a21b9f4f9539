/**
 * Soak: the real logs (repeated, each copy its own visitors and days) posted
 * over HTTP to a real collector, on a 6-partition topic of the real broker,
 * drained by processors of one consumer group that come and go — a third
 * added mid-drain, one killed as SIGKILL would mid-drain (killable-kafka.ts
 * says why that is done in-process). Every line is counted once, the drain
 * never stands still 10 s, and the visits equal one replay of the same file.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { runConsumer } from '../../bus/kafka/consumer.ts';
import { FailingBatches } from '../../bus/failing-batches.ts';
import type { BusBatch } from '../../bus/bus.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { buildLog } from '../../bench/build-log.ts';
import { LOG_FILES } from '../helpers/fixtures.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { groupProgress, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { killableKafka, type KafkaLogEntry } from '../helpers/killable-kafka.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const LINES = Number(process.env.SOAK_LINES ?? 120_000);
const BODY_LINES = 5000;
const MAX_RECORDS = 1000;
const SESSION_TIMEOUT_MS = 30 * 60_000;
const STAND_STILL_MS = 10_000;

/** Lines as the pipeline counts them: every outcome (events, dropped, dead letters) but refused sessions and verdicts. */
const countedLines = async (ch: ClickHouse) =>
  Number(
    (
      await rows<{ n: number }>(
        ch,
        "SELECT sum(count) AS n FROM pipeline_stats WHERE NOT (outcome = 'dead_letter' AND reason = 'row_rejected')",
      )
    )[0]!.n,
  );

/** The figures a replay and a live drain of the same lines must agree on. */
const figures = async (ch: ClickHouse) => ({
  outcomes: await rows(
    ch,
    'SELECT outcome, reason, sum(count) AS n FROM pipeline_stats GROUP BY outcome, reason HAVING n > 0 ORDER BY outcome, reason',
  ),
  events: await rows(ch, 'SELECT count() AS n, uniqExact(session_id) AS sessions FROM events'),
  visits: await rows(ch, 'SELECT count() AS visits, sum(hits) AS hits, sum(duration_s) AS seconds FROM sessions FINAL'),
  bots: await rows(ch, 'SELECT sum(hits) AS hits FROM bots_minute'),
});

interface Processor {
  name: string;
  kafka: Kafka;
  kill: () => void;
  revive: () => void;
  stop: () => Promise<void>;
  records: () => number;
  /** Batches that never returned because the processor was killed: failed at cleanup. */
  frozen: ((err: Error) => void)[];
  killed: boolean;
}

async function startProcessor(
  name: string,
  cfg: ReturnType<typeof kafkaTestConfig>,
  ch: ClickHouse,
  salts: SaltStore,
  logs: KafkaLogEntry[],
) {
  const { kafka, kill, revive } = killableKafka(cfg.KAFKA_BROKERS, name, logs);
  const { handle, counters } = createBatchHandler({ ch, salts, sessionTimeoutMs: SESSION_TIMEOUT_MS });
  const p: Processor = {
    name,
    kafka,
    kill: () => {
      p.killed = true;
      kill();
    },
    revive,
    stop: async () => undefined,
    records: () => counters.records,
    frozen: [],
    killed: false,
  };
  // A killed processor's batches stop returning, as a process that is gone.
  const handler = async (batch: BusBatch): Promise<void> => {
    if (p.killed) return new Promise((_, reject) => p.frozen.push(reject));
    const at = Date.now();
    try {
      await handle(batch);
      logs.push({ at, client: name, level: 5, message: 'batch', fields: { token: batch.token, ms: Date.now() - at } });
    } catch (err) {
      logs.push({ at, client: name, level: 5, message: 'batch failed', fields: { token: batch.token, error: String(err) } });
      throw err;
    }
  };
  const consumer = await runConsumer(kafka, cfg, handler, MAX_RECORDS, new FailingBatches());
  p.stop = consumer.stop;
  return p;
}

describe('Kafka soak', () => {
  it('processors that come and go: every line counted once, no stand-still over 10 s, visits equal one replay', async () => {
    const brokers = testBrokers();
    // A short session: a killed processor's partitions go to the others within 6 s, not 30 (its default).
    const cfg = kafkaTestConfig(brokers, { KAFKA_PARTITIONS: '6', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const dir = tempDir('soak');
    const file = join(dir, 'soak.log');
    // The real logs (LOG_FILES) copied until LINES, each copy its own addresses and days.
    expect(LOG_FILES.length).toBe(3);
    const lines = await buildLog(file, LINES);
    const text = readFileSync(file, 'utf8');
    const all = text.split('\n').filter((l) => l !== '');
    expect(all.length).toBe(lines);

    const ch = await freshClickHouse();
    // One salt store for the processors of this process. The log's days are weeks old, and a day outside
    // the kept salts' window gets a salt of the process's memory only (salt-store.ts): processes of their
    // own would each hash a visitor of those days differently, and a moved partition's held sessions and
    // bot verdicts would not be found by the processor that takes it.
    const salts = new SaltStore(ch);
    const logs: KafkaLogEntry[] = [];
    const processors: Processor[] = [];
    const collectorBus = await KafkaBus.open(cfg);
    const app = collectorApp({ config: cfg, bus: collectorBus, ingestToken: 't', peerAddress: () => '127.0.0.1' });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/logs?site=example.com`;
    const progress: { at: number; n: number }[] = [];
    let polling = true;
    let passed = false;
    const mark = (message: string) => logs.push({ at: Date.now(), client: 'test', level: 4, message, fields: {} });
    try {
      processors.push(await startProcessor('p1', cfg, ch, salts, logs), await startProcessor('p2', cfg, ch, salts, logs));

      // Every second, the lines counted so far: the longest time they did not move is the stand-still.
      const started = Date.now();
      const poller = (async () => {
        while (polling) {
          progress.push({ at: Date.now() - started, n: await countedLines(ch) });
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();

      // Posted while the processors drain, as a shipper would; the processors come and go meanwhile.
      const posting = (async () => {
        let accepted = 0;
        for (let i = 0; i < all.length; i += BODY_LINES) {
          const res = await fetch(url, {
            method: 'POST',
            body: all.slice(i, i + BODY_LINES).join('\n'),
            headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
          });
          expect(res.status).toBe(202);
          accepted += ((await res.json()) as { accepted: number }).accepted;
        }
        mark('all posted');
        return accepted;
      })();

      const reached = (share: number) => async () => ((await countedLines(ch)) >= lines * share ? true : undefined);
      await waitFor('a quarter counted', reached(0.25), 120_000);
      mark('adding p3');
      processors.push(await startProcessor('p3', cfg, ch, salts, logs));
      await waitFor('half counted', reached(0.5), 120_000);
      mark('killing p1');
      processors[0]!.kill();
      const killedAt = Date.now() - started;
      expect(await posting).toBe(lines);

      const done = await waitFor(
        'every line counted and the group caught up',
        async () => {
          const p = await groupProgress(processors[1]!.kafka, cfg);
          return p.done === p.end && (await countedLines(ch)) >= lines ? p : undefined;
        },
        180_000,
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await diagnosis(processors[1]!.kafka, cfg, ch, progress, logs)}`);
      });
      polling = false;
      await poller;

      // The topic's end counts the commit markers of the collector's transactions beside the lines.
      expect(done.end).toBeGreaterThanOrEqual(lines);
      expect(await countedLines(ch)).toBe(lines);
      let longest = 0;
      for (let i = 1; i < progress.length; i++) {
        const still = progress.slice(i).find((p) => p.n !== progress[i - 1]!.n);
        if (progress[i - 1]!.n > 0 && progress[i - 1]!.n < lines && still) longest = Math.max(longest, still.at - progress[i - 1]!.at);
      }
      expect(longest, `the longest stand-still of the drain (killed at ${killedAt} ms): ${JSON.stringify(progress)}`).toBeLessThan(
        STAND_STILL_MS,
      );
      // Every processor took part; the killed one before its death, the added one after its start.
      expect(processors.map((p) => p.records() > 0)).toEqual(processors.map(() => true));

      // The same lines replayed once, on a database of their own.
      const ref = await freshClickHouse();
      await replayFile(ref, file, { site: 'example.com', salts: new SaltStore(ref), sessionTimeoutMs: SESSION_TIMEOUT_MS });
      // Where they differ, the bot counts by minute and path say which hits (and the trace, which batches).
      const bots =
        'SELECT toString(minute) AS m, path, reason, sum(hits) AS n FROM bots_minute GROUP BY m, path, reason ORDER BY m, path, reason';
      const [live, replayed] = [await rows(ch, bots), await rows(ref, bots)];
      const seen = new Set(replayed.map((r) => JSON.stringify(r)));
      const extra = live.filter((r) => !seen.has(JSON.stringify(r))).slice(0, 20);
      expect(await figures(ch), `bot counts the replay has not: ${JSON.stringify(extra)}`).toEqual(await figures(ref));
      passed = true;
    } finally {
      polling = false;
      // A killed processor is let connect again and its frozen batches fail once it stops running, so it stops.
      for (const p of processors.filter((q) => q.killed)) p.revive();
      const stopping = processors.map((p) => within(`${p.name} to stop`, p.stop(), 60_000));
      const unfreeze = setInterval(() => {
        for (const p of processors) for (const reject of p.frozen.splice(0)) reject(new Error('the test is over'));
      }, 100);
      const stopped = await Promise.allSettled(stopping).finally(() => clearInterval(unfreeze));
      if (process.env.SOAK_TRACE) writeFileSync(process.env.SOAK_TRACE, JSON.stringify({ progress, logs }, null, 1));
      if (passed)
        expect(stopped.map((s) => (s.status === 'fulfilled' ? 'stopped' : String(s.reason)))).toEqual(processors.map(() => 'stopped'));
      await collectorBus.close();
      await new Promise((r) => server.close(r));
    }
  }, 300_000);
});

/** What the group, the offsets and kafkajs said, for a drain that did not finish. */
async function diagnosis(
  kafka: Kafka,
  cfg: ReturnType<typeof kafkaTestConfig>,
  ch: ClickHouse,
  progress: { at: number; n: number }[],
  logs: KafkaLogEntry[],
): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const group = await admin.describeGroups([cfg.KAFKA_GROUP]);
    const [committed] = await admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] });
    const ends = await admin.fetchTopicOffsets(cfg.KAFKA_TOPIC);
    return JSON.stringify(
      {
        counted: await countedLines(ch),
        group: group.groups.map((g) => ({ state: g.state, members: g.members.map((m) => m.clientId) })),
        committed: committed!.partitions,
        ends: ends.map((e) => ({ partition: e.partition, high: e.high })),
        progress: progress.slice(-30),
        kafkajs: logs.filter((l) => l.level <= 4).slice(-60),
      },
      null,
      1,
    );
  } finally {
    await admin.disconnect();
  }
}
