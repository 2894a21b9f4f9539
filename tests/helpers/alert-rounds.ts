/**
 * The alert evaluator, run in quick rounds for a test that watches a rule
 * while a drain runs. The real one runs every ALERT_INTERVAL_SECONDS (60):
 * every process writes its health report to pipeline_health once a minute,
 * and the evaluator reads the minutes before its round (alerts/read-signals.ts;
 * a process's gauges are its latest minute's, pipeline-gauges.sql). Here each
 * round stands for one such minute: the live processes report at the round's
 * minute and the real rules (alerts/checks/) judge what reads back, so a round
 * every 2 s sees what a minute's round would see then — without waiting a
 * minute, and without two reports of one process in one minute, which the
 * gauges' query could not tell apart.
 */
import { findingsOf } from '../../alerts/evaluator.ts';
import type { Finding } from '../../alerts/finding.ts';
import type { HealthReporter } from '../../alerts/health-report.ts';
import { readSignals } from '../../alerts/read-signals.ts';
import { alertRules } from '../../alerts/rules.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';

const MINUTE = 60_000;
const ROUND_MS = 2000;

export interface AlertRound {
  /** When it ran (ms, real time). */
  at: number;
  findings: Finding[];
}

export interface AlertRounds {
  /** Every round so far, with the findings of `rule`. */
  rounds: AlertRound[];
  /** Runs until stopped, reporting for the processes `reporters()` names at each round. */
  start: (reporters: () => HealthReporter[]) => void;
  /** One round now (not while started). */
  once: (reporters: HealthReporter[]) => Promise<AlertRound>;
  stop: () => Promise<void>;
}

export function alertRounds(ch: ClickHouse, rule: Finding['rule']): AlertRounds {
  const rules = alertRules();
  // Minutes from now on, one a round: later than any a process of this database has reported.
  let minute = Math.floor(Date.now() / MINUTE) * MINUTE;
  const rounds: AlertRound[] = [];
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = async (reporters: HealthReporter[]) => {
    minute += MINUTE;
    await Promise.all(reporters.map((r) => r.report(minute)));
    const signals = await readSignals(ch, minute + MINUTE, rules.forSite(''));
    const done = { at: Date.now(), findings: findingsOf(signals, rules).filter((f) => f.rule === rule) };
    rounds.push(done);
    return done;
  };
  return {
    rounds,
    once: round,
    start: (reporters) => {
      stopped = false;
      running = (async () => {
        while (!stopped) {
          const next = Date.now() + ROUND_MS;
          await round(reporters());
          await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
        }
      })();
    },
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}
