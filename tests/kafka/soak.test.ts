/**
 * Soak (issue 28): the real logs posted over HTTP to a real collector, on a
 * 6-partition topic of the real broker, drained by processors of one consumer
 * group (tests/helpers/kafka-soak.ts, one setup for both tests).
 *
 * Three passes through one pipeline, each the whole log for a site of its
 * own: the same topic, group and processors take three drains in a row, so
 * the group's lag goes to 0 and rises again, and processors that came, went
 * and took over others' partitions in one pass drain the next — what a fresh
 * pipeline a pass would not test; the sites keep the passes' counts apart. In
 * each pass a processor is added at a quarter and the oldest killed as
 * SIGKILL would at half (soak-processor.ts says why in-process), so two run
 * at every pass's end. Each pass: every line counted once, the lag the
 * broker has back to 0 on every partition, no stand-still of the count over
 * 10 s nor of any partition's offset over 20 s (two thirds of the stall
 * limit), the `consumer_stalled` alert silent (the real rule, alert-rounds.ts),
 * no consumer restarted by a watchdog; and the visits equal one replay.
 *
 * Then a processor frozen mid-drain (its batch handler stops returning,
 * in-process): within 60 s the stall is in its /readyz, in /metrics with the
 * lag the broker has, and the alert fires; its watchdog replaces the
 * consumer, the drain finishes with every line once and the signals clear.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusBatch } from '../../bus/bus.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { LOG_FILES } from '../helpers/fixtures.ts';
import { freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { openSoak, type SoakPass } from '../helpers/kafka-soak.ts';
import { brokerLag } from '../helpers/soak-measures.ts';
import { scrape, sample } from '../helpers/prometheus.ts';
import { waitFor } from '../helpers/wait-for.ts';

const LINES = Number(process.env.SOAK_LINES ?? 40_000);
const SITES = ['pass-1.example', 'pass-2.example', 'pass-3.example'];
// The partitions of the processor killed mid-pass wait for its session timeout (6 s here, the least
// KAFKA_SESSION_TIMEOUT_MS allows) and the group's rejoin, ~0.5 s since an idle processor polls the broker
// every second (tests/kafka/hand-over.test.ts; 9–10 s, once 10.07 s, when it polled every 5 s).
const STAND_STILL_MS = 10_000;
/** KAFKA_STALL_SECONDS as shipped (the passes run with it). */
const STALL_MS = 30_000;
const SESSION_TIMEOUT_MS = 30 * 60_000;
/** Time for a test: a longer run by hand (SOAK_LINES) takes longer. */
const TIMEOUT_MS = Math.max(300_000, LINES * 5);
const STALLED = /^the processor is stalled on partition (\d+) of (\S+): (\d+) hits wait at offset (\d+) and it has not moved for (\d+) s/;

/** The figures a replay and a live drain of the same lines must agree on, for one site. */
const figures = async (ch: ClickHouse, site: string) => ({
  outcomes: await rows(
    ch,
    'SELECT outcome, reason, sum(count) AS n FROM pipeline_stats WHERE site = {site:String} GROUP BY outcome, reason HAVING n > 0 ORDER BY outcome, reason',
    { site },
  ),
  events: await rows(ch, 'SELECT count() AS n, uniqExact(session_id) AS sessions FROM events WHERE site = {site:String}', { site }),
  visits: await rows(
    ch,
    'SELECT count() AS visits, sum(hits) AS hits, sum(duration_s) AS seconds FROM sessions FINAL WHERE site = {site:String}',
    { site },
  ),
  bots: await rows(ch, 'SELECT sum(hits) AS hits FROM bots_minute WHERE site = {site:String}', { site }),
});

/** What every pass must show, whatever came and went in it. */
function expectCleanPass(pass: SoakPass, lines: number) {
  const trace = JSON.stringify({ site: pass.site, loaded: pass.loaded, longestWait: pass.longestWait, progress: pass.progress });
  expect(pass.counted, trace).toBe(lines);
  expect(pass.longestStill, `the longest stand-still of the drain: ${trace}`).toBeLessThan(STAND_STILL_MS);
  // No partition stands still near the stall limit either, a third of it kept as margin: a partition that
  // had little in a fetch waits a turn for the next one, not its busiest sibling's whole share
  // (bus/kafka/fetch-turn.ts); a killed processor's partitions wait its 6 s session timeout and a rejoin (hand-over.test.ts).
  expect(pass.longestWait, `the longest any partition's offset stood still while hits waited: ${trace}`).toBeLessThan((STALL_MS * 2) / 3);
  // The alert's rounds ran all through the pass, and none found a stalled consumer.
  expect(pass.rounds.length, trace).toBeGreaterThan(2);
  expect(pass.rounds.filter((r) => r.findings.length > 0)).toEqual([]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Kafka soak', () => {
  it(
    'three passes, a processor added and one killed in each: every line once, lag back to 0, no stand-still over 10 s, the stall alert silent, visits equal one replay',
    async () => {
      expect(LOG_FILES.length).toBe(3);
      // A short session: a killed processor's partitions go to the others within 6 s, not 30 (its default).
      const soak = await openSoak({
        name: 'passes',
        lines: LINES,
        sites: SITES,
        // The stall limit as shipped (KAFKA_STALL_SECONDS 30): the alert stays silent as production would raise it.
        env: { KAFKA_SESSION_TIMEOUT_MS: '6000' },
      });
      let passed = false;
      try {
        await soak.add('p1');
        await soak.add('p2');
        for (const [i, site] of SITES.entries()) {
          const [oldest, other] = soak.processors.filter((p) => p.alive());
          const added = `p${i + 3}`;
          const pass = await soak.drain(site, [
            { at: 0.25, act: async () => void (await soak.add(added)) },
            { at: 0.5, act: async () => oldest!.kill() },
          ]);
          expectCleanPass(pass, soak.lines);
          expect([...(await brokerLag(soak.admin, soak.cfg)).values()]).toEqual(Array(6).fill(0));
          // The killed one before its death, the one that stayed and the added one after its start all loaded.
          expect([oldest!.name, other!.name, added].map((n) => (pass.loaded[n] ?? 0) > 0)).toEqual([true, true, true]);
          expect(soak.processors.map((p) => p.bus.stats().consumerRestarts)).toEqual(soak.processors.map(() => 0));
        }

        // The last site's lines replayed once, on a database of their own: every site's are the same, days apart.
        const ref = await freshClickHouse();
        await replayFile(ref, soak.file, { site: SITES[0]!, salts: new SaltStore(ref), sessionTimeoutMs: SESSION_TIMEOUT_MS });
        const replayed = await figures(ref, SITES[0]!);
        for (const site of SITES) expect(await figures(soak.ch, site), site).toEqual(replayed);
        passed = true;
      } finally {
        const stopped = await soak.close();
        if (passed) expect(stopped).toEqual(soak.processors.map(() => 'stopped'));
      }
    },
    TIMEOUT_MS,
  );

  it(
    'a processor frozen mid-drain: stalled in /readyz, /metrics and the alert within 60 s; its watchdog restarts the consumer and every line counts once',
    async () => {
      const warnings: string[] = [];
      // The watchdog's log line is read where it is written (stderr), and still written.
      const write = process.stderr.write.bind(process.stderr);
      vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: Parameters<typeof write>[1][]) => {
        if (String(chunk).includes('restarting the Kafka consumer')) warnings.push(String(chunk));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stderr.write);
      // The production session timeout (30 s): kafkajs sends no heartbeat while a handler runs, so with a
      // session shorter than the stall limit the group drops the frozen member and moves its partitions
      // before it is stalled — the dropped member of dropped-member.test.ts, not a stall. Half the lines:
      // what it shows is the signals, and one drain's end.
      const soak = await openSoak({
        name: 'frozen',
        lines: LINES / 2,
        sites: [SITES[0]!],
        // The stall seen after 15 s, not 30, and the watchdog's restart after 20, not 120: sooner, the same logic.
        env: { KAFKA_STALL_SECONDS: '15', KAFKA_STALL_RESTART_SECONDS: '20' },
      });
      try {
        const frozen = await soak.add('p1');
        const other = await soak.add('p2');
        let frozenBatch: BusBatch | undefined;
        const pass = await soak.drain(SITES[0]!, [
          {
            at: 0.3,
            act: async () => {
              const batch = await frozen.freeze();
              const frozenAt = Date.now();
              frozenBatch = batch;
              const [topic, partition] = batch.stream.split(':') as [string, string];
              const within60 = 60_000 - (Date.now() - frozenAt);

              // /readyz of the processor that owns the partition: not ready, stalled where the frozen batch starts.
              const readyz = await waitFor(
                `${frozen.name}'s /readyz to say partition ${partition} is stalled`,
                async () => {
                  const { status, body } = await frozen.health.readyz<{
                    problems: string[];
                    bus: { lag: number; partitions: { lag: number }[] };
                  }>();
                  const m = body.problems.map((p) => STALLED.exec(p)).find((x) => x?.[1] === partition);
                  return status === 503 && m ? { body, m } : undefined;
                },
                within60,
              );
              soak.mark(`${frozen.name}'s /readyz: stalled ${Date.now() - frozenAt} ms after the freeze`);
              expect(readyz.m[2]).toBe(topic);
              // Its range was recorded, not committed: the offset stands where the frozen batch starts.
              expect(Number(readyz.m[4])).toBe(batch.records[0]!.offset);
              expect(Number(readyz.m[3])).toBeGreaterThan(0);
              expect(readyz.body.bus.lag).toBe(readyz.body.bus.partitions.reduce((n, p) => n + p.lag, 0));
              // The other processor's /readyz does not take the blame: the partition is not its own.
              expect((await other.health.readyz()).body.problems.filter((p) => STALLED.test(p))).toEqual([]);

              // /metrics, of both: the stall, and the partition's lag as the broker has it.
              for (const p of [frozen, other]) {
                await waitFor(
                  `${p.name}'s /metrics to show the stall and the lag the broker has`,
                  async () => {
                    const m = await scrape(`${p.health.url}/metrics`);
                    const lag = (await brokerLag(soak.admin, soak.cfg)).get(Number(partition))!;
                    return sample(m, 'scalehouse_bus_stalled', { partition }) === 1 &&
                      lag > 0 &&
                      sample(m, 'scalehouse_bus_lag_hits', { partition }) === lag
                      ? true
                      : undefined;
                  },
                  60_000 - (Date.now() - frozenAt),
                );
                soak.mark(`${p.name}'s /metrics: stalled ${Date.now() - frozenAt} ms after the freeze`);
              }
              expect(sample(await scrape(`${frozen.health.url}/metrics`), 'scalehouse_bus_consumer_restarts_total')).toBe(0);

              // The alert: a round of the evaluator finds the Kafka stall.
              const fired = await waitFor(
                'the consumer_stalled alert',
                async () => soak.alerts.rounds.find((r) => r.at > frozenAt && r.findings.length > 0),
                60_000 - (Date.now() - frozenAt),
              );
              soak.mark(`the alert fired ${fired.at - frozenAt} ms after the freeze`);
              expect(fired.findings).toEqual([
                {
                  rule: 'consumer_stalled',
                  site: '',
                  subject: '',
                  value: expect.any(Number),
                  expected: 0,
                  summary: expect.stringMatching(/^\d+ Kafka partitions? (is|are) stalled: hits wait/),
                },
              ]);
              expect(fired.findings[0]!.value).toBeGreaterThan(0);
              expect(fired.at - frozenAt).toBeLessThan(60_000);

              // The watchdog replaces the consumer by itself; the frozen batch is redone by the partition's next owner.
              await waitFor(
                'the watchdog to restart the consumer',
                async () =>
                  sample(await scrape(`${frozen.health.url}/metrics`), 'scalehouse_bus_consumer_restarts_total') === 1 ? true : undefined,
                60_000,
              );
              soak.mark(`the watchdog restarted ${frozen.name}'s consumer ${Date.now() - frozenAt} ms after the freeze`);
            },
          },
        ]);
        expect(pass.counted).toBe(soak.lines);
        expect([...(await brokerLag(soak.admin, soak.cfg)).values()]).toEqual(Array(6).fill(0));
        expect(warnings).toHaveLength(1);
        // Whichever partition came due first, the line names the handler that holds them up.
        const [, partition] = frozenBatch!.stream.split(':');
        expect(warnings[0]).toMatch(
          new RegExp(
            `partition ${partition} has not moved for \\d+ s .*its batch handler has not returned|batch handler of partition ${partition} has not returned`,
          ),
        );
        expect([...frozen.handled, ...other.handled]).toContain(frozenBatch!.token);
        // The signals clear, at each processor's next poll of the lag: both ready, lag 0, nothing stalled in
        // /metrics; then the alert, which reads what both report, is silent.
        for (const p of [frozen, other]) {
          await waitFor(`${p.name} ready with lag 0 and nothing stalled`, async () => {
            const { status, body } = await p.health.readyz<{ bus: { lag: number } }>();
            const m = await scrape(`${p.health.url}/metrics`);
            const stalled = [0, 1, 2, 3, 4, 5].map((n) => sample(m, 'scalehouse_bus_stalled', { partition: String(n) }));
            return status === 200 && body.bus.lag === 0 && stalled.every((n) => n === 0) ? true : undefined;
          });
        }
        expect((await soak.alerts.once([frozen.reporter, other.reporter])).findings).toEqual([]);
        expect(sample(await scrape(`${frozen.health.url}/metrics`), 'scalehouse_bus_consumer_restarts_total')).toBe(1);
      } finally {
        await soak.close();
      }
    },
    TIMEOUT_MS,
  );
});
