/**
 * What every role runs to be operated: Prometheus metrics (on /metrics of its
 * server, or alone on METRICS_PORT), its minutely report to pipeline_health,
 * and — in `start` and `scalehouse alerts` — the alert evaluator.
 */
import type { Context, Hono } from 'hono';
import type { Server } from 'node:http';
import type { Config } from '../common/config.ts';
import { errorMessage } from '../common/errors.ts';
import { log } from '../common/log.ts';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { createServerApp } from '../server/app.ts';
import type { ServerEnv } from '../server/env.ts';
import { listen } from '../server/listen.ts';
import { createMetrics, type Metrics, type MetricSources } from '../server/metrics.ts';
import { metricsRoutes } from '../server/metrics-route.ts';
import { AlertEvaluator } from '../alerts/evaluator.ts';
import { startHealthReports } from '../alerts/health-report.ts';
import { parseWebhooks } from '../alerts/notify.ts';
import { loadAlertRules } from '../alerts/rules.ts';

export interface Operations {
  metrics: Metrics;
  /** Routes for the role's own server: /metrics, unless it has a port of its own. */
  routes: Hono<ServerEnv>[];
  /** After the role's server listens: the metrics port, reports and alerts begin. */
  begin(who: { role: string; baseUrl: string }): Promise<void>;
  close(): Promise<void>;
}

export async function prepareOperations(opts: {
  config: Config;
  ch: ClickHouse;
  sources: MetricSources;
  authorized: (c: Context) => boolean;
  /** Whether this process evaluates alerts, and whether it reports to pipeline_health (the collector and processor do). */
  alerts: boolean;
  report: boolean;
}): Promise<Operations> {
  const { config, ch } = opts;
  // Rules are read before anything starts: a bad rule file stops start-up with its reason.
  const rules = opts.alerts ? await loadAlertRules(config.ALERT_RULES) : undefined;
  let evaluator: AlertEvaluator | undefined;
  const metrics = createMetrics({ ...opts.sources, ...(rules ? { alertsFiring: () => evaluator?.firingByRule() ?? {} } : {}) });
  const routes = config.METRICS_PORT ? [] : [metricsRoutes(metrics.registry, opts.authorized)];
  const timers: NodeJS.Timeout[] = [];
  let metricsServer: Server | undefined;
  let stopReports = () => {};

  return {
    metrics,
    routes,
    async begin(who) {
      if (config.METRICS_PORT) {
        metricsServer = (await listen(
          createServerApp({ trustedProxies: [], peerAddress: () => '', routes: [metricsRoutes(metrics.registry)] }),
          { host: config.METRICS_HOST, port: config.METRICS_PORT },
        )) as Server;
        log.info(`metrics on http://${config.METRICS_HOST}:${config.METRICS_PORT}/metrics`);
      }
      if (opts.report) stopReports = startHealthReports(ch, metrics.values, { role: who.role, port: config.PORT }).stop;
      if (!rules) return;
      evaluator = new AlertEvaluator({
        ch,
        rules,
        webhooks: parseWebhooks(config.ALERT_WEBHOOKS),
        dashboardUrl: config.PUBLIC_URL || who.baseUrl,
        onNotified: (delivered) => metrics.notification(delivered ? 'sent' : 'failed'),
      });
      const round = () =>
        evaluator!.round().then(
          ({ fired, resolved }) => {
            for (const a of fired) log.warn(`alert: ${a.summary}`, { rule: a.rule, site: a.site, subject: a.subject });
            for (const a of resolved) log.info(`alert recovered: ${a.summary}`, { rule: a.rule, site: a.site, subject: a.subject });
          },
          (err: unknown) => log.debug('alert round failed', { error: errorMessage(err) }),
        );
      timers.push(setInterval(round, config.ALERT_INTERVAL_SECONDS * 1000));
      log.info(
        `alerts evaluated every ${config.ALERT_INTERVAL_SECONDS} s${config.ALERT_WEBHOOKS.length ? `, sent to ${config.ALERT_WEBHOOKS.length} webhook(s)` : '; set ALERT_WEBHOOKS to be notified'}`,
      );
    },
    async close() {
      for (const t of timers) clearInterval(t);
      stopReports();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
    },
  };
}
