/**
 * Hostile input end to end, not just through a parser: random and hostile
 * values in every field of every source — beacons, JSON and combined log
 * lines over HTTP, syslog over UDP and TCP — into a real `scalehouse start`
 * (collector → bus → processor → the real engine), on the local bus and on
 * Kafka, with a SIGKILL half-way. Afterwards every acknowledged hit is counted
 * exactly once — an event, a drop or a dead letter with a reason — and hits
 * sent after the poison are loaded: nothing waits behind it.
 *
 * What is acknowledged: the `accepted` of every 2xx answer, and the syslog
 * receiver's own count of lines it put on the bus (UDP has no answer).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { freePort, startApp, TEST_INGEST_TOKEN, type AppProcess } from '../helpers/app-process.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { groupProgress, kafkaEnv, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { Kafka } from 'kafkajs';
import { CHROME, FUZZ_SITE as SITE, hostileGenerator as generator } from '../helpers/hostile-input.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { DEAD_LETTER_REASONS, DROP_REASONS } from '../../processor/result.ts';

interface Sent {
  acknowledged: number;
  answers: Map<number, number>;
}

async function post(app: AppProcess, path: string, body: Buffer | string, contentType: string, sent: Sent, auth = false): Promise<void> {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
    headers: { 'content-type': contentType, 'user-agent': CHROME, ...(auth ? { authorization: `Bearer ${TEST_INGEST_TOKEN}` } : {}) },
  });
  sent.answers.set(res.status, (sent.answers.get(res.status) ?? 0) + 1);
  const answer = await res.text();
  // Every refusal says why, as JSON; no input makes the collector fail.
  expect(res.status, answer).toBeLessThan(500);
  expect(() => JSON.parse(answer), answer).not.toThrow();
  if (res.status >= 200 && res.status < 300) sent.acknowledged += Number((JSON.parse(answer) as { accepted?: number }).accepted ?? 0);
}

/** A round of hostile traffic over HTTP: beacons one by one, log lines in batches. */
async function sendHttp(app: AppProcess, gen: ReturnType<typeof generator>, sent: Sent, beacons: number, batches: number): Promise<void> {
  const queue: Promise<void>[] = [];
  for (let i = 0; i < beacons; i++) {
    const body = gen.beacon();
    queue.push(post(app, '/api/event', gen.rand() < 0.1 ? gen.invalidUtf8(body) : body, 'text/plain', sent));
    if (queue.length >= 8) await Promise.all(queue.splice(0));
  }
  for (let b = 0; b < batches; b++) {
    const lines = Array.from({ length: 40 }, () => gen.logLine());
    const body = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    queue.push(post(app, `/api/logs?site=${SITE}`, body, 'text/plain', sent, true));
    if (queue.length >= 4) await Promise.all(queue.splice(0));
  }
  await Promise.all(queue);
}

type Readyz = { problems: string[]; bus: { lag: number }; syslog?: { accepted: number; received: number } };
const readyz = async (app: AppProcess) => (await app.readyz()) as { status: number; body: Readyz };

/** Hostile lines over syslog, UDP and TCP (octet-counted frames); returns how many the receiver put on the bus. */
async function sendSyslog(app: AppProcess, port: number, gen: ReturnType<typeof generator>, count: number): Promise<number> {
  const before = (await readyz(app)).body.syslog!;
  const frame = () => Buffer.concat([Buffer.from('<190>Dec  7 10:00:00 web1 nginx: '), gen.logLine()]);
  const udp = createSocket('udp4');
  for (let i = 0; i < count; i++) await new Promise<void>((r) => udp.send(frame(), port, '127.0.0.1', () => r()));
  udp.close();
  const tcp = connect(port, '127.0.0.1');
  await within('the syslog TCP connection', new Promise<void>((r) => tcp.once('connect', () => r())));
  for (let i = 0; i < count; i++) {
    const f = frame();
    tcp.write(Buffer.concat([Buffer.from(`${f.length} `), f]));
  }
  await new Promise<void>((r) => tcp.end(() => r()));
  // UDP may lose datagrams on the way in; what counts is what the receiver took.
  const seen = await waitFor('the syslog receiver to count every TCP frame', async () => {
    const now = (await readyz(app)).body.syslog!;
    return now.received - before.received >= count ? now : undefined;
  });
  // The receiver puts what it took on the bus asynchronously: read its count once it holds still.
  let last = seen.accepted;
  await waitFor('the syslog receiver to settle', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const again = (await readyz(app)).body.syslog!.accepted;
    const still = again === last;
    last = again;
    return still ? true : undefined;
  });
  return (await readyz(app)).body.syslog!.accepted - before.accepted;
}

/** After the poison: clean hits that must land, whatever came before them. */
async function sendAfter(app: AppProcess, sent: Sent, round: string): Promise<string[]> {
  const paths = Array.from({ length: 5 }, (_, i) => `/after/${round}/${i}`);
  for (const path of paths.slice(0, 3))
    await post(app, '/api/event', JSON.stringify({ site: SITE, url: `https://${SITE}${path}` }), 'text/plain', sent);
  const clf = new Date().toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
  const lines = paths
    .slice(3)
    .map((p, i) => `203.0.113.${i + 1} - - [${clf}] "GET ${p} HTTP/1.1" 200 10 "-" "${CHROME}"`)
    .join('\n');
  await post(app, `/api/logs?site=${SITE}`, lines, 'text/plain', sent, true);
  return paths;
}

/**
 * Every acknowledged hit processed: ready and no bus lag — and on Kafka, the group's committed
 * offsets at the topic's end (the bus's lag is that of the last batch it fetched).
 */
async function loaded(app: AppProcess, env: Record<string, string>): Promise<void> {
  const kafka = env.KAFKA_BROKERS ? new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: 0 }) : undefined;
  await waitFor(
    'every acknowledged hit processed',
    async () => {
      const { status, body } = await readyz(app);
      if (status !== 200 || body.bus.lag !== 0) return undefined;
      if (!kafka) return true;
      const { end, done } = await groupProgress(kafka, { KAFKA_TOPIC: env.KAFKA_TOPIC!, KAFKA_GROUP: env.KAFKA_GROUP! });
      return done === end ? true : undefined;
    },
    120_000,
  );
}

async function fuzzRun(env: Record<string, string>, seed: number) {
  const dataDir = tempDir('pipeline-fuzz');
  const [port, syslogPort] = [await freePort(), await freePort()];
  const appEnv = {
    ...env,
    DATA_DIR: dataDir,
    SYSLOG_PORT: String(syslogPort),
    SYSLOG_SITES: `nginx=${SITE}`,
    BATCH_MAX_HITS: '200',
    LOG_LEVEL: 'error',
  };
  const gen = generator(seed);
  const sent: Sent = { acknowledged: 0, answers: new Map() };

  // Round 1, then a SIGKILL while the processor may be anywhere in its batches, poison and all.
  let app = await startApp(appEnv, port);
  await sendHttp(app, gen, sent, 150, 16);
  app.child.kill('SIGKILL');
  await within('scalehouse start to die', app.exited);

  // Round 2 on the same data: the bus brings back what was not loaded; more poison; syslog too.
  // (On Kafka the processor's join waits for the group to drop the killed member, up to its 30 s session
  // timeout; the intake answers meanwhile.)
  app = await startApp(appEnv, port, { healthTimeoutMs: 60_000 });
  try {
    await sendHttp(app, gen, sent, 150, 16);
    sent.acknowledged += await sendSyslog(app, syslogPort, gen, 150);
    const after = await sendAfter(app, sent, 'end');
    await loaded(app, env);
    expect((await readyz(app)).body.problems).toEqual([]);
    app.child.kill('SIGTERM');
    expect(await within('scalehouse start to stop', app.exited)).toBe(0);
    return { dataDir, sent, after };
  } finally {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
  }
}

async function expectAccounted(run: Awaited<ReturnType<typeof fuzzRun>>) {
  const ch = await dataDirClickHouse(run.dataDir);
  try {
    const n = async (sql: string) => Number((await rows<{ n: string }>(ch, sql))[0]!.n);
    // Both kinds of answer came: hostile input was refused with reasons, and taken.
    expect([...run.sent.answers.keys()].filter((s) => s >= 400).length).toBeGreaterThan(0);
    expect(run.sent.acknowledged, JSON.stringify([...run.sent.answers])).toBeGreaterThan(1000);
    // Every line counted once, by outcome: as many as were acknowledged, no more, no fewer.
    const lines = "SELECT sum(count) AS n FROM pipeline_stats WHERE NOT (outcome = 'dead_letter' AND reason = 'row_rejected')";
    expect(await n(lines)).toBe(run.sent.acknowledged);
    expect(await n('SELECT count() AS n FROM events')).toBe(await n("SELECT sum(count) AS n FROM pipeline_stats WHERE outcome = 'event'"));
    expect(await n("SELECT count() AS n FROM dead_letters WHERE reason != 'row_rejected'")).toBe(
      await n("SELECT sum(count) AS n FROM pipeline_stats WHERE outcome = 'dead_letter' AND reason != 'row_rejected'"),
    );
    // A dead letter per record at most, each with a known reason and something that says why.
    expect(await n("SELECT count() - uniqExact(position) AS n FROM dead_letters WHERE reason != 'row_rejected'")).toBe(0);
    for (const r of await rows<{ outcome: string; reason: string }>(ch, 'SELECT DISTINCT outcome, reason FROM pipeline_stats')) {
      if (r.outcome === 'dead_letter') expect(DEAD_LETTER_REASONS).toContain(r.reason);
      if (r.outcome === 'dropped') expect(DROP_REASONS).toContain(r.reason);
    }
    expect(await n("SELECT countIf(detail = '') AS n FROM dead_letters")).toBe(0);
    // No hit loaded twice: every numbered path of the traffic is in events once at most.
    expect(await n("SELECT count() - uniqExact(site, path, event_type, event_name, ts) AS n FROM events WHERE path LIKE '/fz/%'")).toBe(0);
    // The hits sent after all the poison are there.
    expect(
      (await rows<{ path: string }>(ch, "SELECT path FROM events WHERE path LIKE '/after/%' ORDER BY path")).map((r) => r.path),
    ).toEqual(run.after);
  } finally {
    await ch.close();
  }
}

describe('pipeline fuzz, end to end', () => {
  it('local bus: every acknowledged hit counted once or dead-lettered with a reason, through a SIGKILL, and nothing waits behind the poison', async () => {
    await expectAccounted(await fuzzRun({}, 25));
  });

  it('the same with every batch through the engine program (PROCESSOR_PROGRAM=engine: parse and enrichment in ClickHouse)', async () => {
    const run = await fuzzRun({ PROCESSOR_PROGRAM: 'engine' }, 26);
    await expectAccounted(run);
    // The engine program did the work: only it fills the table of user agents it has classified.
    const ch = await dataDirClickHouse(run.dataDir);
    try {
      expect(Number((await rows<{ n: string }>(ch, 'SELECT count() AS n FROM user_agents'))[0]!.n)).toBeGreaterThan(0);
    } finally {
      await ch.close();
    }
  });

  describe('Kafka', () => {
    let brokers: string;
    beforeAll(() => {
      brokers = testBrokers();
    });
    it('the same on Kafka', async () => {
      const cfg = kafkaTestConfig(brokers);
      await expectAccounted(await fuzzRun({ ...kafkaEnv(cfg), SITES: '*' }, 2025));
    });
  });
});
