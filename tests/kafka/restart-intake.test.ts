/**
 * `scalehouse start` on Kafka, restarted after a SIGKILL: Kafka keeps the killed processor in the
 * consumer group until its session times out (30 s), and a new member's join waits for that. The
 * intake must not wait with it: the restarted process answers, accepts hits (they wait on the bus)
 * and says in /readyz that its processor is joining; once it has joined, everything acknowledged
 * before and after the kill is loaded exactly once.
 */
import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { freePort, startApp, TEST_INGEST_TOKEN, type AppProcess } from '../helpers/app-process.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { groupProgress, humanLine, kafkaEnv, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const SITE = 'example.com';

/** Posts lines numbered from `from` through POST /api/logs; the status of the answer. */
async function post(app: AppProcess, from: number, count: number): Promise<number> {
  const body = Array.from({ length: count }, (_, i) => humanLine(`203.0.113.${(from + i) % 200}`, `/r/${from + i}`, from + i)).join('\n');
  const res = await fetch(`${app.url}/api/logs?site=${SITE}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_INGEST_TOKEN}`, 'content-type': 'text/plain' },
    body,
  });
  return res.status;
}

describe('scalehouse start on Kafka, restarted after a SIGKILL', () => {
  it('takes hits while its processor waits to rejoin the group, says so in /readyz, and loads every hit once', async () => {
    const cfg = kafkaTestConfig(testBrokers(), { SITES: SITE });
    const env = { ...kafkaEnv(cfg), SITES: SITE, DATA_DIR: tempDir('restart-intake'), LOG_LEVEL: 'error' };
    const port = await freePort();
    const kafka = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 });

    let app = await startApp(env, port, { healthTimeoutMs: 60_000 });
    expect(await post(app, 0, 500)).toBe(202);
    // The topic's end may count more than the hits: the commit markers of the collector's transactions.
    await waitFor(
      'the first 500 lines loaded',
      async () => {
        const p = await groupProgress(kafka, cfg);
        return p.end >= 500 && p.done === p.end ? true : undefined;
      },
      60_000,
    );
    app.child.kill('SIGKILL');
    await within('scalehouse start to die', app.exited);

    app = await startApp(env, port, { healthTimeoutMs: 60_000 });
    try {
      // Answering already, though the killed member still holds the group: the processor is joining.
      const first = await app.readyz();
      expect(first.status, app.output()).toBe(503);
      expect(first.body.problems.join('\n')).toMatch(/joining the Kafka consumer group/);
      expect(await post(app, 500, 500)).toBe(202);
      expect((await app.readyz()).body.problems.join('\n')).toMatch(/joining the Kafka consumer group/);

      await waitFor(
        `all 1,000 lines loaded (output: ${app.output()})`,
        async () => {
          const { status, body } = await app.readyz();
          const p = await groupProgress(kafka, cfg);
          return status === 200 && body.problems.length === 0 && p.end >= 1000 && p.done === p.end ? true : undefined;
        },
        90_000,
      );
      app.child.kill('SIGTERM');
      expect(await within('scalehouse start to stop', app.exited)).toBe(0);
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
    const ch = await dataDirClickHouse(env.DATA_DIR);
    try {
      expect(await rows(ch, 'SELECT count() AS n, uniqExact(path) AS paths FROM events')).toEqual([{ n: 1000, paths: 1000 }]);
    } finally {
      await ch.close();
    }
  }, 240_000);
});
