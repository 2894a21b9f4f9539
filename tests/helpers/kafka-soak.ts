/**
 * The Kafka soak's pipeline (tests/kafka/soak.test.ts), one setup for each of
 * its tests: a log built from the real logs, a real collector on 127.0.0.1
 * posting to a topic of the real broker, processors of one consumer group on
 * one fresh database (soak-processor.ts), and the alert evaluator's rounds
 * (alert-rounds.ts). `drain` posts the whole log for one site while the
 * processors drain it, does the test's steps when given shares of it are
 * counted (a processor added, killed, frozen), and waits until every line is
 * counted and the group's lag, read from the broker, is 0 on every partition.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Kafka, type Admin } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import type { Config } from '../../common/config.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { buildLog } from '../../bench/build-log.ts';
import { alertRounds, type AlertRound, type AlertRounds } from './alert-rounds.ts';
import { freshClickHouse, rows } from './clickhouse.ts';
import { collectorApp } from './collector-app.ts';
import { kafkaTestConfig, testBrokers } from './kafka.ts';
import type { KafkaLogEntry } from './killable-kafka.ts';
import { startSoakProcessor, type SoakProcessor } from './soak-processor.ts';
import { tempDir } from './temp-dir.ts';
import { waitFor } from './wait-for.ts';

const BODY_LINES = 5000;
const DAY_MS = 86_400_000;
/** Where the last site's log ends (buildLog's own default). */
const LOG_END = Date.UTC(2026, 10, 30);
const TOKEN = 't';

export interface SoakStep {
  /** The share of the pass's lines counted before it is done. */
  at: number;
  act: () => Promise<void>;
}

export interface SoakPass {
  site: string;
  counted: number;
  /** The longest time (ms) the pass's counted lines stood still between the first and the last. */
  longestStill: number;
  progress: { at: number; n: number }[];
  /** The longest any partition's committed offset stood still while hits waited (ms), as the lag poller saw it. */
  longestWait: number;
  /** The alert rounds that ran during the pass. */
  rounds: AlertRound[];
  /** Records each processor loaded during the pass. */
  loaded: Record<string, number>;
}

/** Lines of a site as the pipeline counts them: every outcome (events, dropped, dead letters) but refused sessions and verdicts. */
export const countedLines = async (ch: ClickHouse, site: string) =>
  Number(
    (
      await rows<{ n: number }>(
        ch,
        "SELECT sum(count) AS n FROM pipeline_stats WHERE site = {site:String} AND NOT (outcome = 'dead_letter' AND reason = 'row_rejected')",
        { site },
      )
    )[0]!.n,
  );

/** Each partition's lag as the broker has it: high watermark − the group's committed offset. */
export async function brokerLag(admin: Admin, cfg: Pick<Config, 'KAFKA_TOPIC' | 'KAFKA_GROUP'>): Promise<Map<number, number>> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(cfg.KAFKA_TOPIC),
    admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] }),
  ]);
  const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
  return new Map(ends.map((e) => [e.partition, Number(e.high) - Math.max(Number(e.low), at.get(e.partition) ?? -1)]));
}

export async function openSoak(opts: { name: string; lines: number; sites: string[]; env: Record<string, string> }) {
  const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '6', SITES: opts.sites.join(','), ...opts.env });
  const dir = tempDir('soak');
  // The real logs copied until `lines`, each copy its own addresses and days (bench/build-log.ts): one log a
  // site, the same lines 35 days (more than a log's span) after the site before. A stream's time only moves
  // on, and a processor judges a hit by it (late, its session ended, evidence of bots kept: sessionize.ts),
  // so a pass of the same times again would be a pass of hits weeks late; shifted by whole days, each
  // site's figures are the same as the last one's, whose log is the one `file` names.
  const files = opts.sites.map((site) => join(dir, `${site}.log`));
  const counts = await Promise.all(files.map((f, i) => buildLog(f, opts.lines, LOG_END - (files.length - 1 - i) * 35 * DAY_MS)));
  const lines = counts[0]!;
  if (counts.some((n) => n !== lines)) throw new Error(`logs of ${counts.join(', ')} lines`);
  const file = files.at(-1)!;
  const siteLines = new Map(
    opts.sites.map((site, i) => [
      site,
      readFileSync(files[i]!, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    ]),
  );
  const ch = await freshClickHouse();
  // One salt store for the processors of this process. The log's days are weeks old, and a day outside
  // the kept salts' window gets a salt of the process's memory only (salt-store.ts): processes of their
  // own would each hash a visitor of those days differently, and a moved partition's held sessions and
  // bot verdicts would not be found by the processor that takes it.
  const salts = new SaltStore(ch);
  const logs: KafkaLogEntry[] = [];
  const processors: SoakProcessor[] = [];
  const passes: SoakPass[] = [];
  const alerts: AlertRounds = alertRounds(ch, 'consumer_stalled');
  const admin = new Kafka({ brokers: cfg.KAFKA_BROKERS, logLevel: 0 }).admin();
  await admin.connect();
  const collectorBus = await KafkaBus.open(cfg);
  const app = collectorApp({ config: cfg, bus: collectorBus, ingestToken: TOKEN, peerAddress: () => '127.0.0.1' });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/logs`;
  const mark = (message: string) => logs.push({ at: Date.now(), client: 'test', level: 4, message, fields: {} });

  const add = async (name: string) => {
    mark(`adding ${name}`);
    const p = await startSoakProcessor(name, { cfg, ch, salts, logs });
    processors.push(p);
    return p;
  };

  /** Posts every line for `site` as a shipper would while the processors drain, does `steps`, waits for the end. */
  const drain = async (site: string, steps: SoakStep[]): Promise<SoakPass> => {
    const started = Date.now();
    const before = new Map(processors.map((p) => [p.name, p.records()]));
    const counted = () => countedLines(ch, site);
    const all = siteLines.get(site)!;
    const progress: SoakPass['progress'] = [];
    let polling = true;
    let longestWait = 0;
    // Every second, the lines counted so far: the longest time they did not move is the stand-still.
    const poller = (async () => {
      while (polling) {
        progress.push({ at: Date.now() - started, n: await counted() });
        const view = processors.find((p) => p.alive())?.bus.stats().partitions ?? [];
        for (const p of view) if (p.waitingSince) longestWait = Math.max(longestWait, Date.now() - Date.parse(p.waitingSince));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const firstRound = alerts.rounds.length;
    try {
      const posting = (async () => {
        let accepted = 0;
        for (let i = 0; i < all.length; i += BODY_LINES) {
          const res = await fetch(`${url}?site=${encodeURIComponent(site)}`, {
            method: 'POST',
            body: all.slice(i, i + BODY_LINES).join('\n'),
            headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
          });
          if (res.status !== 202) throw new Error(`POST /api/logs answered ${res.status}: ${await res.text()}`);
          accepted += ((await res.json()) as { accepted: number }).accepted;
        }
        mark(`${site}: all posted`);
        return accepted;
      })();
      // The alert's rounds from the first line counted, as the stand-still: a round stands for a minute, and
      // the seconds the processors take to start on a pass would otherwise look like minutes without a record.
      await waitFor(`the first line of ${site} counted`, async () => ((await counted()) > 0 ? true : undefined), 60_000);
      alerts.start(() => processors.filter((p) => p.alive()).map((p) => p.reporter));
      for (const step of steps) {
        await waitFor(`${step.at} of ${site} counted`, async () => ((await counted()) >= lines * step.at ? true : undefined), 120_000);
        await step.act();
      }
      const accepted = await posting;
      if (accepted !== lines) throw new Error(`${accepted} of ${lines} lines accepted`);
      await waitFor(
        `every line of ${site} counted and the group's lag 0 on every partition`,
        async () => ([...(await brokerLag(admin, cfg)).values()].every((n) => n === 0) && (await counted()) >= lines ? true : undefined),
        180_000,
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await diagnosis()}`);
      });
    } finally {
      polling = false;
      await poller;
      await alerts.stop();
    }
    let longestStill = 0;
    for (let i = 1; i < progress.length; i++) {
      const moved = progress.slice(i).find((p) => p.n !== progress[i - 1]!.n);
      if (progress[i - 1]!.n > 0 && progress[i - 1]!.n < lines && moved)
        longestStill = Math.max(longestStill, moved.at - progress[i - 1]!.at);
    }
    const pass: SoakPass = {
      site,
      counted: await counted(),
      longestStill,
      progress,
      longestWait,
      rounds: alerts.rounds.slice(firstRound),
      loaded: Object.fromEntries(processors.map((p) => [p.name, p.records() - (before.get(p.name) ?? 0)])),
    };
    passes.push(pass);
    return pass;
  };

  /** What the group, the offsets and kafkajs said, for a drain that did not finish. */
  const diagnosis = async () => {
    const group = await admin.describeGroups([cfg.KAFKA_GROUP]);
    return JSON.stringify(
      {
        counted: await rows(ch, 'SELECT site, sum(count) AS n FROM pipeline_stats GROUP BY site ORDER BY site'),
        group: group.groups.map((g) => ({ state: g.state, members: g.members.map((m) => m.clientId) })),
        lag: [...(await brokerLag(admin, cfg))],
        kafkajs: logs.filter((l) => l.level <= 4).slice(-60),
      },
      null,
      1,
    );
  };

  const close = async () => {
    const stopped = await Promise.allSettled(processors.map((p) => p.close()));
    if (process.env.SOAK_TRACE) writeFileSync(`${process.env.SOAK_TRACE}.${opts.name}.json`, JSON.stringify({ passes, logs }, null, 1));
    await collectorBus.close();
    await new Promise((r) => server.close(r));
    await admin.disconnect();
    return stopped.map((s, i) => (s.status === 'fulfilled' ? 'stopped' : `${processors[i]!.name}: ${String(s.reason)}`));
  };

  return { cfg, ch, file, lines, admin, processors, logs, alerts, mark, add, drain, close };
}

export type Soak = Awaited<ReturnType<typeof openSoak>>;
