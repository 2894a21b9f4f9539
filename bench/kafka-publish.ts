/**
 * Benchmark: the collector's Kafka publish path alone — the hits of log lines
 * put on a 6-partition topic of a real single-node broker the way `POST
 * /api/logs` puts them (KafkaBus.publish: a record per hit keyed by visitor,
 * gzip, acks from all in-sync replicas, one transaction per flush), 4 bodies
 * of ~10 MiB in flight, a refused body (503) sent again. In `bench:logs` the
 * Kafka drain cannot outrun this intake, and there the collector shares the
 * process's two cores with the processor and the engine: so CPU time per hit
 * is reported beside the rate.
 *
 * **Reference**: kafkajs' own producer sending the same records (same keys,
 * values, gzip, acks -1, idempotent) without transactions, in the same bodies,
 * 4 in flight: the client library's floor, what the collector's transactions
 * and bookkeeping add to it. Pairs, medians. Writes its section of
 * docs/benchmarks.md.
 *
 *   npm run bench:publish    (BENCH_LINES=200000, BENCH_PAIRS=3; Java 17+ and Maven for the broker)
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionTypes, type Message } from 'kafkajs';
import { KafkaBus } from '../bus/kafka/kafka-bus.ts';
import { createKafka } from '../bus/kafka/kafka-client.ts';
import { hitKey } from '../bus/kafka/hit-key.ts';
import { loadConfig } from '../common/config.ts';
import { BusUnavailableError } from '../common/errors.ts';
import { encodeHit, logHit, type Hit } from '../common/hit.ts';
import { startBenchBroker, type BenchBroker } from './bench-broker.ts';
import { buildLog } from './build-log.ts';
import { machine, percentile, writeSection } from './report.ts';
import { benchTempDir } from './temp-dir.ts';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const KAFKA_PORT = 19094; // not 9092 (the tests') nor 19092 (bench:logs')
const BODY_HITS = 35_000; // ~10 MiB of log lines, as bench:logs' bodies
const IN_FLIGHT = 4;
const SITE = 'bench.example';

interface Pass {
  seconds: number;
  /** CPU time of this process (user + system) per hit, µs. */
  cpuMicros: number;
  refused: number;
}

let broker: BenchBroker | undefined;
const dir = benchTempDir('publish', () => broker?.stop());

/** Sends each body with `send`, IN_FLIGHT at a time; a body refused as the collector refuses it is sent again. */
async function timed<T>(bodies: T[], send: (body: T) => Promise<void>): Promise<Pass> {
  let next = 0;
  let refused = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        for (;;) {
          try {
            await send(body);
            break;
          } catch (err) {
            if (!(err instanceof BusUnavailableError)) throw err;
            refused++;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuMicros: (used.user + used.system) / LINES, refused };
}

/** A topic, group and dead-letter topic of the pass's own. */
const passConfig = (name: string) =>
  loadConfig({
    KAFKA_BROKERS: broker!.brokers,
    KAFKA_TOPIC: `${name}.hits`,
    KAFKA_DLQ_TOPIC: `${name}.dead-letters`,
    KAFKA_GROUP: name,
    KAFKA_PARTITIONS: '6',
    SITES: SITE,
  });

/** The collector's path: KafkaBus.publish of each body's hits (keys, encoding, transactions inside). */
async function collector(bodies: Hit[][], name: string): Promise<Pass> {
  const bus = await KafkaBus.open(passConfig(name));
  try {
    return await timed(bodies, (hits) => bus.publish(hits));
  } finally {
    await bus.close();
  }
}

/** The reference: kafkajs' producer alone, the same records, no transaction. */
async function bareProducer(bodies: Hit[][], name: string): Promise<Pass> {
  const cfg = passConfig(name);
  // KafkaBus.open creates the topic as the collector's pass has it (6 partitions).
  const bus = await KafkaBus.open(cfg);
  await bus.close();
  const producer = createKafka(cfg).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    return await timed(bodies, async (hits) => {
      const messages: Message[] = hits.map((h) => ({ key: hitKey(h), value: encodeHit(h) }));
      // Produce requests under the broker's 1 MiB per record batch, as the collector splits them.
      for (let i = 0; i < messages.length; i += 2500) {
        await producer.send({
          topic: cfg.KAFKA_TOPIC,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: messages.slice(i, i + 2500),
        });
      }
    });
  } finally {
    await producer.disconnect();
  }
}

const pairs: { ours: Pass; ref: Pass }[] = [];
try {
  process.stderr.write(`building a ${LINES.toLocaleString()}-line log from ../shared/data/logs…\n`);
  const log = join(dir, 'access.log');
  const built = await buildLog(log, LINES);
  const receivedAt = Date.now();
  const hits = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => logHit(SITE, line, { receivedAt }));
  if (hits.length !== built) throw new Error(`${hits.length} hits for ${built} lines`);
  const bodies: Hit[][] = [];
  for (let i = 0; i < hits.length; i += BODY_HITS) bodies.push(hits.slice(i, i + BODY_HITS));
  broker = startBenchBroker(KAFKA_PORT, join(dir, 'kafka'));
  for (let i = 0; i < PAIRS; i++) {
    const ref = await bareProducer(bodies, `bench-publish-ref-${i}`);
    const ours = await collector(bodies, `bench-publish-${i}`);
    pairs.push({ ours, ref });
    const say = (p: Pass) => `${Math.round(LINES / p.seconds)} hits/s, ${p.cpuMicros.toFixed(1)} µs CPU a hit`;
    process.stderr.write(`pair ${i + 1}/${PAIRS}: collector ${say(ours)}, ${ours.refused} refused; kafkajs alone ${say(ref)}\n`);
  }
} finally {
  broker?.stop();
  rmSync(dir, { recursive: true, force: true });
}

const med = (f: (p: { ours: Pass; ref: Pass }) => number) => percentile(pairs.map(f), 50);
const rate = (p: Pass) => LINES / p.seconds;
const row = (name: string, f: (p: { ours: Pass; ref: Pass }) => Pass) =>
  `| ${name} | ${Math.round(med((p) => rate(f(p)))).toLocaleString('en-US')} | ${med((p) => f(p).cpuMicros).toFixed(1)} µs | ${med((p) => f(p).refused)} |`;
writeSection(
  'publish',
  `## Kafka publish: the collector's path against kafkajs' producer alone

Command: \`npm run bench:publish\` (\`bench/kafka-publish.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
The hits of a ${LINES.toLocaleString('en-US')}-line combined log (\`bench/build-log.ts\`) published to a fresh
6-partition topic of a single-node broker on loopback (\`scripts/kafka-broker.sh\`) in bodies of ${BODY_HITS.toLocaleString('en-US')} hits
(~10 MiB of lines, as \`bench:logs\` posts them), ${IN_FLIGHT} in flight, a refused body sent again; ${PAIRS} pairs, medians.
CPU: this process's user + system time over the pass, per hit (kafkajs' gzip runs on libuv's threads, counted).

**Reference**: kafkajs' producer alone (idempotent, acks -1, gzip), the same records (key, value) in
the same bodies, no transaction: the client library's floor.

| | hits/s | CPU a hit | refused bodies |
|---|---|---|---|
${row('collector (`KafkaBus.publish`: a transaction per flush)', (p) => p.ours)}
${row("kafkajs' producer alone", (p) => p.ref)}

Collector at ${med((p) => rate(p.ours) / rate(p.ref)).toFixed(2)}× the reference's rate (median of the pairs' ratios).`,
);
