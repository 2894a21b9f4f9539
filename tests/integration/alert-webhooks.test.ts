/**
 * What a webhook receives when a finding carries text from traffic: a path
 * that is Slack markup (`<!channel>`, `<https://evil|text>`) reaches Slack as
 * text — `&`, `<` and `>` escaped, as Slack's "Formatting text for app
 * surfaces" asks — and the generic JSON webhook as the same characters, as
 * data; the notifier's own link to the dashboard is still a link. The
 * receiver is a real node:http server on 127.0.0.1, taking the POSTs the
 * notifier makes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import type { AlertRecord } from '../../alerts/alert-log.ts';
import { checkFailingPaths } from '../../alerts/checks/errors.ts';
import { alertKey } from '../../alerts/finding.ts';
import { notify, parseWebhooks } from '../../alerts/notify.ts';
import { alertRules } from '../../alerts/rules.ts';

let receiver: WebhookReceiver;
let received: WebhookReceiver['received'];
let hookBase = '';

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  ({ received, base: hookBase } = receiver);
});
afterAll(async () => {
  await receiver.close();
});

const DASHBOARD = 'https://stats.example.com';
/** A failing path's alert as the evaluator makes it: the check's finding, its key, the link to the site's dashboard. */
function failingPathAlert(path: string): AlertRecord {
  const [finding] = checkFailingPaths([{ site: 'shop.example', path, recent5xx: 7, recentHits: 9 }], alertRules());
  return { ...finding!, key: alertKey(finding!), state: 'firing', url: `${DASHBOARD}/?site=shop.example`, delivered: false };
}

describe('alert notices carrying text from traffic', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<https://evil.example/login|reset your password>', '&lt;https://evil.example/login|reset your password&gt;'],
    ['/search?q=a&b=<script>', '/search?q=a&amp;b=&lt;script&gt;'],
  ])('reach Slack escaped and the JSON webhook as data: %s', async (path, escaped) => {
    received.length = 0;
    const alert = failingPathAlert(path);
    const at = Date.UTC(2026, 11, 3, 10, 31);
    expect(await notify(parseWebhooks([`${hookBase}/json`, `slack:${hookBase}/slack`]), alert, at)).toBe(true);
    const slack = received.filter((r) => r.path === '/slack').map((r) => r.body);
    const json = received.filter((r) => r.path === '/json').map((r) => r.body);

    // Slack: the summary as text, then the notifier's own link, the one piece of markup in the message.
    expect(slack).toEqual([
      {
        text: `:rotating_light: Scalehouse: ${escaped} on shop.example newly fails: 7 of 9 hits answered 5xx since the last hour began, none in the 7 days before <${DASHBOARD}/?site=shop.example|open the dashboard>`,
      },
    ]);
    const text = String(slack[0]!.text);
    expect(text.match(/[<>]/g)).toEqual(['<', '>']);

    // JSON: every value as it is, the path as written.
    expect(json).toEqual([
      {
        status: 'firing',
        rule: 'failing_path',
        site: 'shop.example',
        subject: path,
        value: 7,
        expected: 0,
        summary: `${path} on shop.example newly fails: 7 of 9 hits answered 5xx since the last hour began, none in the 7 days before`,
        url: `${DASHBOARD}/?site=shop.example`,
        key: `failing_path|shop.example|${path}`,
        at: '2026-12-03T10:31:00.000Z',
      },
    ]);
  });

  it("keep the notifier's own link one link, whatever its address holds", async () => {
    received.length = 0;
    const alert = { ...failingPathAlert('/checkout'), state: 'resolved' as const, url: `${DASHBOARD}/?site=shop.example&from=a|b` };
    expect(await notify(parseWebhooks([`slack:${hookBase}/slack`]), alert, Date.now())).toBe(true);
    expect(String(received[0]!.body.text)).toMatch(
      new RegExp(
        `^:white_check_mark: Scalehouse: recovered: /checkout on shop\\.example newly fails: .* <${DASHBOARD.replaceAll('.', '\\.')}/\\?site=shop\\.example&amp;from=a%7Cb\\|open the dashboard>$`,
      ),
    );
  });
});
