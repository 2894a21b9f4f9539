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
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Kafka } from 'kafkajs';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { alertRounds, type AlertRound, type AlertRounds } from './alert-rounds.ts';
import { freshClickHouse, rows } from './clickhouse.ts';
import { brokerLag, buildSiteLogs, countedLines, longestStandStill } from './soak-measures.ts';
import { collectorApp } from './collector-app.ts';
import { kafkaTestConfig, testBrokers } from './kafka.ts';
import type { KafkaLogEntry } from './killable-kafka.ts';
import { startSoakProcessor, type SoakProcessor } from './soak-processor.ts';
import { tempDir } from './temp-dir.ts';
import { waitFor } from './wait-for.ts';

const BODY_LINES = 5000;
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

export async function openSoak(opts: { name: string; lines: number; sites: string[]; env: Record<string, string> }) {
  const cfg = kafkaTestConfig(testBrokers(), { KAFKA_PARTITIONS: '6', SITES: opts.sites.join(','), ...opts.env });
  const { file, lines, siteLines } = await buildSiteLogs(tempDir('soak'), opts.sites, opts.lines);
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
      // The alert's rounds from the first batch loaded, as the stand-still: a round stands for a minute, and
      // the seconds the processors take to start on a pass would otherwise look like minutes without a record.
      // Loaded as the processors' counters say (what their health reports carry), not as the first row seen in
      // ClickHouse: a batch's rows show before its load returns and its counters move, and a round between
      // the two saw every hit of the pass waiting and none processed (CI, 2026-12-08).
      const loaded = () => processors.reduce((n, p) => n + p.records() - (before.get(p.name) ?? 0), 0);
      await waitFor(`the first batch of ${site} loaded`, async () => (loaded() > 0 ? true : undefined), 60_000);
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
    const pass: SoakPass = {
      site,
      counted: await counted(),
      longestStill: longestStandStill(progress, lines),
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
