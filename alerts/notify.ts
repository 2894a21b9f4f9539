/**
 * Sends an alert's firing or recovery notice to every webhook
 * (ALERT_WEBHOOKS): a generic JSON document, or, for Slack and what speaks
 * its incoming-webhook format (Mattermost, Rocket.Chat, Discord's /slack
 * endpoint), `{"text": …}` — chosen by a `slack:` prefix or a hooks.slack.com
 * address. What came from traffic (a path, a site name) goes into that text
 * as a code span made inert for all of these receivers (slack-text.ts), so it
 * cannot mention a channel or make a link on any of them; the JSON document
 * carries every value as data, unchanged (JSON.stringify is its only
 * encoding). Each gets a few tries with backoff; a webhook that still
 * fails is reported, and the evaluator tries the notice again next round.
 */
import { backoffDelay } from '../common/backoff.ts';
import { ScalehouseError, errorMessage, isRetriable } from '../common/errors.ts';
import { log } from '../common/log.ts';
import type { AlertRecord } from './alert-log.ts';
import { quoteValues, slackLink } from './slack-text.ts';

export interface Webhook {
  url: string;
  format: 'json' | 'slack';
}

export function parseWebhooks(list: string[]): Webhook[] {
  return list.map((entry) => {
    const slack = entry.startsWith('slack:');
    const url = slack ? entry.slice('slack:'.length) : entry;
    return { url, format: slack || new URL(url).hostname === 'hooks.slack.com' ? 'slack' : 'json' };
  });
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

export function notificationBody(alert: AlertRecord, format: Webhook['format'], at: number): unknown {
  if (format === 'slack') {
    const icon = alert.state === 'firing' ? ':rotating_light:' : ':white_check_mark:';
    const what = quoteValues(alert.summary, [alert.subject, alert.site]);
    const state = alert.state === 'firing' ? '' : 'recovered: ';
    return { text: `${icon} Scalehouse: ${state}${what} ${slackLink(alert.url, 'open the dashboard')}` };
  }
  return {
    status: alert.state,
    rule: alert.rule,
    site: alert.site,
    subject: alert.subject,
    value: alert.value,
    expected: alert.expected,
    summary: alert.summary,
    url: alert.url,
    key: alert.key,
    at: new Date(at).toISOString(),
  };
}

/** Whether every webhook took the notice. */
export async function notify(
  webhooks: Webhook[],
  alert: AlertRecord,
  at: number,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<boolean> {
  const results = await Promise.all(
    webhooks.map(async (hook) => {
      const body = JSON.stringify(notificationBody(alert, hook.format, at));
      let problem: unknown;
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep(backoffDelay(attempt, 500));
        try {
          const res = await fetch(hook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          await res.arrayBuffer();
          if (res.ok) return true;
          // A 4xx other than 429 will not change on a retry: the webhook refuses this document.
          problem = new ScalehouseError(`HTTP ${res.status}`, { retriable: res.status >= 500 || res.status === 429 });
        } catch (err) {
          problem = err; // refused, reset, timed out: retriable; a bad address or name (ENOTFOUND): not
        }
        if (!isRetriable(problem)) break;
      }
      log.warn('an alert webhook did not take the notice; it is tried again next round', {
        webhook: new URL(hook.url).host,
        alert: alert.key,
        error: errorMessage(problem),
      });
      return false;
    }),
  );
  return results.every(Boolean);
}
