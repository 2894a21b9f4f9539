/**
 * Benchmark: log shipping end to end, `POST /api/logs` on a running
 * `scalehouse start` (embedded ClickHouse, processor in the same process), as
 * a shipper posts: a combined log in bodies just under the batch limit
 * (LOG_BATCH_MAX_BYTES, 10 MiB), 4 requests in flight, 503s retried after
 * their Retry-After. Intake: first request to last 202. Drain: first request
 * until every line is counted in ClickHouse (events, bots, dead letters: the
 * dashboard's `pipeline` query, polled every 250 ms while logged in). Two
 * buses: the local on-disk log and a real single-node Kafka broker
 * (scripts/kafka-broker.sh, fresh data for the run, a fresh topic and group
 * per pass, the default KAFKA_PUBLISH_TIMEOUT_MS). Reference: GoAccess on the same file. Pairs, medians; peak RSS
 * of the scalehouse process (VmHWM). Writes its section of docs/benchmarks.md.
 *
 *   npm run bench:logs           (BENCH_LINES=1000000, BENCH_PAIRS=3; Java 17+ and Maven for the broker,
 *                                 apt-get install goaccess time)
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchBroker, peakMiB, type BenchBroker } from './bench-broker.ts';
import { buildLog } from './build-log.ts';
import { dashboardLogin, goaccessVersion } from './reference-tools.ts';
import { machine, percentile, writeSection } from './report.ts';
import { startScalehouse } from './start-scalehouse.ts';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const CONCURRENCY = 4;
const MAX_BODY = 10_485_760; // LOG_BATCH_MAX_BYTES (its default, passed explicitly so the two agree)
const KAFKA_PORT = 19092; // not 9092, where the Kafka tests look for a broker
const POLL_MS = 250;
const STALL_MS = 120_000; // no progress in the counts for this long: the run failed
const TOKEN = 'bench-ingest-token';
const PASSWORD = 'bench-password';
const SITE = 'bench.example';

for (const tool of ['/usr/bin/time', '/usr/bin/goaccess']) {
  if (!existsSync(tool)) throw new Error(`${tool} is missing: apt-get install ${tool.endsWith('time') ? 'time' : 'goaccess'}`);
}

const dir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-logs-'));
const log = join(dir, 'access.log');
const running = new Set<ChildProcess>();
let broker: BenchBroker | undefined;

/** Everything this run started goes, on success, failure or Ctrl-C: scalehouse processes, the broker, the temp folder. */
function cleanUp(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  broker?.stop();
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

/** A pass; `stalled`: the counts stopped moving for STALL_MS before every line was counted (drainS is then NaN). */
interface Pass {
  intakeS: number;
  drainS: number;
  peakMiB: number;
  refused: number;
  counted: number;
  stalled?: string;
}
interface Run {
  seconds: number;
  peakMiB: number;
}

/** Why bodies were refused (503/507), digits left out, with how many times: a shipper's retries, told apart. */
const refusals = new Map<string, number>();

/** Runs a command under GNU time: its wall time and peak resident memory. */
function timed(cmd: string, args: string[]): Run {
  const out = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %M', cmd, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  const [seconds, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakMiB: kib! / 1024 };
}

const goaccess = (): Run => timed('/usr/bin/goaccess', [log, '--log-format=COMBINED', '--no-progress', '-o', join(dir, 'report.json')]);

/** A request body and the lines it holds. */
interface Batch {
  body: Uint8Array<ArrayBuffer>;
  lines: number;
}

/** The file cut at line ends into bodies of at most MAX_BODY bytes, with their line counts. */
function bodies(file: Buffer): Batch[] {
  const out: Batch[] = [];
  for (let start = 0; start < file.length; ) {
    let end = file.length;
    if (end - start > MAX_BODY) {
      end = file.lastIndexOf(0x0a, start + MAX_BODY - 1) + 1;
      if (end <= start) throw new Error(`a line at byte ${start} is longer than the batch limit`);
    }
    const body = new Uint8Array(file.subarray(start, end)); // a copy: fetch takes an ArrayBuffer's view
    let lines = 0;
    for (let i = body.indexOf(0x0a); i >= 0; i = body.indexOf(0x0a, i + 1)) lines++;
    if (body.length && body[body.length - 1] !== 0x0a) lines++;
    out.push({ body, lines });
    start = end;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts one body until it is acknowledged; 503/507 are waited out (Retry-After) and retried, as a shipper does. */
async function post(url: string, b: Batch, bus: string): Promise<number> {
  for (let refused = 0; ; refused++) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
      body: b.body,
    });
    const text = await res.text();
    if (res.status === 202) {
      const accepted = (JSON.parse(text) as { accepted: number }).accepted;
      if (accepted !== b.lines) throw new Error(`a body of ${b.lines} lines was answered ${text}`);
      return refused;
    }
    if (res.status !== 503 && res.status !== 507) throw new Error(`POST /api/logs answered ${res.status}: ${text}`);
    const why = `${bus} bus, ${res.status} ${((JSON.parse(text) as { message?: string }).message ?? text).replace(/\d+/g, 'N')}`;
    refusals.set(why, (refusals.get(why) ?? 0) + 1);
    await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
  }
}

/** Logs in to the dashboard as a person would (the JSON form of POST /login): the session cookie. */
/** Lines the processor has accounted for: the sum of every outcome (event, dropped, dead letter) of the pipeline query. */
async function counted(base: string, cookie: string, since: number): Promise<number> {
  const q = new URLSearchParams({ from: new Date(since - 600_000).toISOString(), to: new Date(Date.now() + 600_000).toISOString() });
  const res = await fetch(`${base}/api/stats/pipeline?${q}`, { headers: { cookie } });
  if (!res.ok) throw new Error(`/api/stats/pipeline answered ${res.status}: ${await res.text()}`);
  const { data } = (await res.json()) as { data: { n: number | string }[] };
  return data.reduce((sum, row) => sum + Number(row.n), 0);
}

async function waitFor(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`scalehouse exited (${child.exitCode}) before answering: ${stderr()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer: ${stderr()}`);
}

/** Peak resident memory of a process so far (VmHWM), MiB. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(60_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.delete(child);
}

/** One pass: a fresh `scalehouse start` on `bus`, the whole file posted, drained, the process stopped. */
async function scalehouse(bus: 'local' | 'kafka', port: number, work: Batch[], lines: number): Promise<Pass> {
  const dataDir = join(dir, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const name = `bench-${Date.now()}-${port}`;
  const kafka =
    bus === 'kafka'
      ? {
          KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
          KAFKA_TOPIC: `${name}.hits`,
          KAFKA_DLQ_TOPIC: `${name}.dead-letters`,
          KAFKA_GROUP: name,
        }
      : { KAFKA_BROKERS: '' };
  const child = startScalehouse({
    dataDir,
    port,
    env: { SITES: SITE, DASHBOARD_PASSWORD: PASSWORD, INGEST_TOKEN: TOKEN, LOG_BATCH_MAX_BYTES: String(MAX_BODY), ...kafka },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/healthz`, child, () => err);
    const cookie = await dashboardLogin(base, PASSWORD);
    const url = `${base}/api/logs?site=${SITE}`;

    const t0 = performance.now();
    const wall0 = Date.now();
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < work.length) refused += await post(url, work[next++]!, bus);
      }),
    );
    const intakeS = (performance.now() - t0) / 1000;

    let n = 0;
    let last = -1;
    let lastChange = performance.now();
    for (;;) {
      n = await counted(base, cookie, wall0);
      if (n >= lines) break;
      if (n !== last) [last, lastChange] = [n, performance.now()];
      if (performance.now() - lastChange > STALL_MS) {
        // A finding, not a crash of the benchmark: reported with what the server says of itself (bus lag, a failing consumer).
        const ready = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } }).then(
          async (r) => `${r.status} ${await r.text()}`,
          (e: Error) => e.message,
        );
        const stalled = `counted ${n.toLocaleString()} of ${lines.toLocaleString()} lines, then nothing for ${STALL_MS / 1000} s; /readyz: ${ready}${err ? `; stderr: ${err.slice(-500)}` : ''}`;
        process.stderr.write(`${bus} pass stalled: ${stalled}\n`);
        return { intakeS, drainS: Number.NaN, peakMiB: peakMiB(child.pid!), refused, counted: n, stalled };
      }
      if (child.exitCode !== null) throw new Error(`scalehouse exited (${child.exitCode}) during the drain: ${err}`);
      await sleep(POLL_MS);
    }
    const drainS = (performance.now() - t0) / 1000;
    const peak = peakMiB(child.pid!);
    return { intakeS, drainS, peakMiB: peak, refused, counted: n };
  } finally {
    await stop(child);
  }
}

const pairs: { local: Pass; kafka: Pass; ref: Run }[] = [];
let lines = 0;
let megabytes = 0;
let bodyCount = 0;
let brokerPeakMiB = 0;
try {
  process.stderr.write(`building a ${LINES.toLocaleString()}-line log from ../shared/data/logs…\n`);
  lines = await buildLog(log, LINES);
  megabytes = statSync(log).size / 2 ** 20;
  const work = bodies(readFileSync(log));
  bodyCount = work.length;
  if (work.reduce((n, b) => n + b.lines, 0) !== lines) throw new Error('the bodies do not hold every line of the log');

  broker = startBenchBroker(KAFKA_PORT, join(dir, 'kafka'));

  for (let i = 0; i < PAIRS; i++) {
    const ref = goaccess();
    const local = await scalehouse('local', 19100 + i * 2, work, lines);
    const kafka = await scalehouse('kafka', 19101 + i * 2, work, lines);
    pairs.push({ local, kafka, ref });
    const say = (p: Pass) =>
      `intake ${(lines / p.intakeS).toFixed(0)}/s, drain ${p.drainS.toFixed(1)} s (${(lines / p.drainS).toFixed(0)}/s), ${p.peakMiB.toFixed(0)} MiB, ${p.refused} refused${p.counted > lines ? `, ${p.counted - lines} counted twice` : ''}`;
    process.stderr.write(
      `pair ${i + 1}/${PAIRS}: local bus ${say(local)}; kafka ${say(kafka)}; goaccess ${ref.seconds.toFixed(1)} s, ${ref.peakMiB.toFixed(0)} MiB\n`,
    );
  }
  brokerPeakMiB = broker.peakMiB();
} finally {
  cleanUp();
}

// Medians over the passes that drained (a stalled pass has no drain time); NaN when none did.
const med = (f: (p: { local: Pass; kafka: Pass; ref: Run }) => number) => {
  const xs = pairs.map(f).filter((x) => !Number.isNaN(x));
  return xs.length ? percentile(xs, 50) : Number.NaN;
};
const stalls = pairs.flatMap((p, i) =>
  (
    [
      ['local bus', p.local],
      ['Kafka', p.kafka],
    ] as const
  )
    .filter(([, pass]) => pass.stalled)
    .map(([bus, pass]) => `${bus}, pass ${i + 1}: ${pass.stalled}`),
);
const rate = (s: number) => (Number.isNaN(s) ? 'stalled' : Math.round(lines / s).toLocaleString());
const row = (label: string, pick: (p: { local: Pass; kafka: Pass }) => Pass) => {
  const s = (f: (x: Pass) => number) => med((p) => f(pick(p)));
  const refused = pairs.reduce((n, p) => n + pick(p).refused, 0);
  return `| ${label} | ${rate(s((x) => x.intakeS))} | ${rate(s((x) => x.drainS))} | ${Number.isNaN(s((x) => x.drainS)) ? '—' : `${s((x) => x.drainS).toFixed(1)} s`} | ${s((x) => x.peakMiB).toFixed(0)} MiB | ${refused} |`;
};
const twice = pairs.reduce((n, p) => n + Math.max(0, p.local.counted - lines) + Math.max(0, p.kafka.counted - lines), 0);
const ref = { s: med((p) => p.ref.seconds), mib: med((p) => p.ref.peakMiB) };

const md = `## Log shipping: \`POST /api/logs\` intake and drain, local bus and Kafka, against GoAccess

Command: \`npm run bench:logs\` (\`bench/logs.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
A ${lines.toLocaleString()}-line combined log (${megabytes.toFixed(0)} MiB, \`bench/build-log.ts\`) posted to a fresh
\`scalehouse start\` (embedded ClickHouse) as a shipper would: ${bodyCount} \`text/plain\` bodies cut at line ends just
under the 10 MiB batch limit (\`LOG_BATCH_MAX_BYTES\`), ${CONCURRENCY} requests in flight, a 503 retried after its
\`Retry-After\`. **Intake**: first request to last 202 (every line on the bus). **Drain**: first request until
every line is counted in ClickHouse (events, bots and dead letters of the dashboard's \`pipeline\` query, polled
every ${POLL_MS} ms while logged in). Peak RSS: \`VmHWM\` of the scalehouse process (collector, processor and
ClickHouse engine in one), read before it is stopped. ${PAIRS} pass${PAIRS === 1 ? '' : 'es'} of each bus, one after the other on the same file;
medians.

Local bus: the on-disk log in \`DATA_DIR\`. Kafka: a single-node broker on loopback (\`scripts/kafka-broker.sh\`,
fresh data for the run, idle but running during the other passes, its own peak ${brokerPeakMiB.toFixed(0)} MiB), a fresh topic of
6 partitions and consumer group per pass, default settings (a body is refused only if Kafka acknowledges nothing
of it for \`KAFKA_PUBLISH_TIMEOUT_MS\`, 5 s: lines counted twice are reported in bold).

**Reference**: GoAccess ${goaccessVersion()} (Debian's package), \`--log-format=COMBINED -o report.json\` on the same
file: reads it from disk, parses and counts, keeps its report in memory. Scalehouse also takes the lines over
HTTP, makes them durable on the bus before answering, judges bots, sessionizes and loads every row into ClickHouse.

| | intake lines/s | drain lines/s | drain time | peak RSS | 503s retried (all passes) |
|---|---|---|---|---|---|
${row('`POST /api/logs`, local bus', (p) => p.local)}
${row('`POST /api/logs`, Kafka', (p) => p.kafka)}
| GoAccess (reads the file) | — | ${rate(ref.s)} | ${ref.s.toFixed(1)} s | ${ref.mib.toFixed(0)} MiB | — |

Drain at ${med((p) => p.ref.seconds / p.local.drainS).toFixed(2)}× GoAccess's speed with the local bus,
${med((p) => p.ref.seconds / p.kafka.drainS).toFixed(2)}× with Kafka (medians of the pairs' ratios).${twice ? ` **${twice.toLocaleString()} lines were counted twice** (bodies refused whose hits had reached the bus, then sent again): the drain figures of those passes are too high.` : ''}
${refusals.size ? `Refusals retried: ${[...refusals].map(([why, n]) => `${n}× ${why}`).join('; ')}.\n` : ''}${stalls.length ? `\n**Drains that stalled** (left out of the medians):\n\n${stalls.map((x) => `- ${x}`).join('\n')}\n` : ''}`;
writeSection('logs', md);
process.stdout.write(md);
process.exit(0);
