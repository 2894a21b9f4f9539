/**
 * The alert evaluator: every round it reads the signals (read-signals.ts),
 * runs the checks, and turns what changed into notices — a condition found
 * for the first time fires, one gone for `recoverAfterRounds` rounds in a
 * row recovers (so a value hovering at a threshold does not flap). Each
 * transition is written to alert_events before the next round, with whether
 * every webhook took it; what they did not take is sent again next round.
 * An alert already open when the evaluator (re)starts is not sent again.
 *
 * If ClickHouse cannot be read, no check can run, so the evaluator says so
 * itself after `failingRoundsToNotify` rounds, straight to the webhooks.
 */
import type { ClickHouse } from '../clickhouse/connect.ts';
import { errorMessage } from '../common/errors.ts';
import { log } from '../common/log.ts';
import { loadOpenAlerts, recordAlerts, type AlertRecord } from './alert-log.ts';
import { checkErrorRates, checkFailingPaths } from './checks/errors.ts';
import { checkPipeline } from './checks/pipeline.ts';
import { checkTraffic } from './checks/traffic.ts';
import { alertKey, type Finding } from './finding.ts';
import { notify, type Webhook } from './notify.ts';
import { readSignals } from './read-signals.ts';
import type { AlertRules } from './rules.ts';

const MINUTE = 60_000;

export interface EvaluatorOptions {
  ch: ClickHouse;
  rules: AlertRules;
  webhooks: Webhook[];
  /** The dashboard's public address, for the links in notices. */
  dashboardUrl: string;
  /** Minutes the window ends before now: hits of the last minute may still be on their way. */
  delayMinutes?: number;
  recoverAfterRounds?: number;
  failingRoundsToNotify?: number;
  onNotified?: (delivered: boolean) => void;
}

export interface RoundResult {
  fired: AlertRecord[];
  resolved: AlertRecord[];
  findings: Finding[];
}

export function findingsOf(signals: Awaited<ReturnType<typeof readSignals>>, rules: AlertRules): Finding[] {
  return [
    ...checkTraffic(signals.sites, rules),
    ...checkErrorRates(signals.sites, rules),
    ...checkFailingPaths(signals.failingPaths, rules),
    ...checkPipeline(signals, rules),
  ];
}

export class AlertEvaluator {
  private open = new Map<string, AlertRecord>();
  private clearRounds = new Map<string, number>();
  private undelivered: AlertRecord[] = [];
  private loaded = false;
  private failingRounds = 0;
  private outageSent = false;

  constructor(private readonly o: EvaluatorOptions) {}

  /** Alerts firing now, by rule (for /metrics). */
  firingByRule(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.open.values()) out[a.rule] = (out[a.rule] ?? 0) + 1;
    return out;
  }

  async round(now = Date.now()): Promise<RoundResult> {
    try {
      const result = await this.evaluate(now);
      this.failingRounds = 0;
      if (this.outageSent) {
        this.outageSent = false;
        await this.send(this.outage('resolved', 'the alert evaluator reads ClickHouse again'), now);
      }
      return result;
    } catch (err) {
      this.failingRounds++;
      log.warn('alert evaluation failed', { error: errorMessage(err), rounds: this.failingRounds });
      if (this.failingRounds >= (this.o.failingRoundsToNotify ?? 3) && !this.outageSent) {
        this.outageSent = await this.send(
          this.outage('firing', `the alert evaluator cannot read ClickHouse (${errorMessage(err)}): no alert can fire until it can`),
          now,
        );
      }
      throw err;
    }
  }

  private async evaluate(now: number): Promise<RoundResult> {
    const { ch, rules } = this.o;
    if (!this.loaded) {
      for (const a of await loadOpenAlerts(ch, now)) {
        if (a.state === 'firing') this.open.set(a.key, a);
        if (!a.delivered) this.undelivered.push(a);
      }
      this.loaded = true;
    }
    const end = Math.floor(now / MINUTE) * MINUTE - (this.o.delayMinutes ?? 1) * MINUTE;
    const findings = findingsOf(await readSignals(ch, end, rules.forSite('')), rules);
    const found = new Map(findings.map((f) => [alertKey(f), f]));

    const fired: AlertRecord[] = [];
    for (const [key, f] of found) {
      this.clearRounds.delete(key);
      if (this.open.has(key)) continue;
      const alert: AlertRecord = { ...f, key, state: 'firing', url: this.linkFor(f.site), delivered: false };
      this.open.set(key, alert);
      fired.push(alert);
    }
    const resolved: AlertRecord[] = [];
    for (const [key, alert] of this.open) {
      if (found.has(key)) continue;
      const rounds = (this.clearRounds.get(key) ?? 0) + 1;
      this.clearRounds.set(key, rounds);
      if (rounds < (this.o.recoverAfterRounds ?? 3)) continue;
      this.open.delete(key);
      this.clearRounds.delete(key);
      resolved.push({ ...alert, state: 'resolved', delivered: false });
    }

    // Notices no webhook took before go first, in order; a retry is written again only once taken.
    const retries = this.undelivered;
    const notices = [...retries, ...fired, ...resolved];
    for (const n of notices) n.delivered = await this.send(n, now);
    this.undelivered = notices.filter((n) => !n.delivered);
    await recordAlerts(ch, [...retries.filter((n) => n.delivered), ...fired, ...resolved], now);
    return { fired, resolved, findings };
  }

  private async send(alert: AlertRecord, now: number): Promise<boolean> {
    if (this.o.webhooks.length === 0) return true;
    const delivered = await notify(this.o.webhooks, alert, now);
    this.o.onNotified?.(delivered);
    return delivered;
  }

  /** The dashboard's view of the site ('' for the pipeline: the dashboard's first page). */
  private linkFor(site: string): string {
    const base = this.o.dashboardUrl.replace(/\/$/, '');
    return site ? `${base}/?site=${encodeURIComponent(site)}` : `${base}/`;
  }

  private outage(state: AlertRecord['state'], summary: string): AlertRecord {
    return {
      rule: 'alerts_unavailable',
      site: '',
      subject: '',
      key: 'alerts_unavailable||',
      value: 0,
      expected: 0,
      summary,
      url: this.linkFor(''),
      state,
      delivered: false,
    };
  }
}
