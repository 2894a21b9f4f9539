/**
 * What a webhook receives when a finding carries text from traffic. In the
 * Slack format — which Slack, Mattermost, Rocket.Chat and Discord's /slack
 * endpoint take — each value from traffic is an inline code span, so no
 * receiver formats it: Slack markup (`<!channel>`, `<https://evil|text>`) is
 * escaped (`&`, `<`, `>`, as Slack's "Formatting text for app surfaces"
 * asks), the plain mentions `@channel`, `@here`, `@everyone` that the others
 * read carry a U+2060 WORD JOINER after the `@`, and Markdown's
 * `[label](https://evil)` has one between `]` and `(`; a backtick cannot close
 * the span early. The generic JSON webhook gets the same characters, as
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

const WJ = '\u2060';

/**
 * What would still act in `text` by the rules of a receiver of the Slack format:
 * Slack's `<!…>` mentions, the plain `@channel`, `@all`, `@here`, `@everyone`
 * that Mattermost, Rocket.Chat and Discord read, and Markdown's inline link
 * (`](` at once, CommonMark §6.3) that Mattermost and Discord make.
 */
function liveMarkup(text: string): string[] {
  return text.match(/<!|@(?:channel|all|here|everyone)|\]\(/g) ?? [];
}

describe('alert notices carrying text from traffic', () => {
  it.each([
    ['<!channel>', '`&lt;!channel&gt;`'],
    ['<https://evil.example/login|reset your password>', '`&lt;https://evil.example/login|reset your password&gt;`'],
    ['/search?q=a&b=<script>', '`/search?q=a&amp;b=&lt;script&gt;`'],
    ['/@channel', `\`/@${WJ}channel\``],
    ['/@everyone', `\`/@${WJ}everyone\``],
    ['/@here', `\`/@${WJ}here\``],
    ['/[Reset password](https://evil.example)', `\`/[Reset password]${WJ}(https://evil.example)\``],
    // A line break would end the span and start a line that could define a Markdown link: it is shown as U+FFFD.
    ['/a\n[x]: https://evil.example', '`/a\ufffd[x]: https://evil.example`'],
    // A backtick in the path would close the code span and leave the rest live: it is shown as U+02CB.
    [
      '/x` @everyone [Reset password](https://evil.example) `@here',
      `\`/x\u02cb @${WJ}everyone [Reset password]${WJ}(https://evil.example) \u02cb@${WJ}here\``,
    ],
  ])('reach Slack as inert code and the JSON webhook as data: %s', async (path, shown) => {
    received.length = 0;
    const alert = failingPathAlert(path);
    const at = Date.UTC(2026, 11, 3, 10, 31);
    expect(await notify(parseWebhooks([`${hookBase}/json`, `slack:${hookBase}/slack`]), alert, at)).toBe(true);
    const slack = received.filter((r) => r.path === '/slack').map((r) => r.body);
    const json = received.filter((r) => r.path === '/json').map((r) => r.body);

    // Slack: the summary as text, then the notifier's own link, the one piece of markup in the message.
    expect(slack).toEqual([
      {
        text: `:rotating_light: Scalehouse: ${shown} on \`shop.example\` newly fails: 7 of 9 hits answered 5xx since the last hour began, none in the 7 days before <${DASHBOARD}/?site=shop.example|open the dashboard>`,
      },
    ]);
    const text = String(slack[0]!.text);
    expect(text.match(/[<>]/g)).toEqual(['<', '>']);
    expect(liveMarkup(text)).toEqual([]);

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

  it('keep a path that holds the site name one code span', async () => {
    received.length = 0;
    expect(await notify(parseWebhooks([`slack:${hookBase}/slack`]), failingPathAlert('/to/shop.example/@here'), Date.now())).toBe(true);
    expect(String(received[0]!.body.text)).toMatch(
      new RegExp(`^:rotating_light: Scalehouse: \`/to/shop\\.example/@${WJ}here\` on \`shop\\.example\` newly fails: `),
    );
  });

  it("keep the notifier's own link one link, whatever its address holds", async () => {
    received.length = 0;
    const alert = { ...failingPathAlert('/checkout'), state: 'resolved' as const, url: `${DASHBOARD}/?site=shop.example&from=a|b` };
    expect(await notify(parseWebhooks([`slack:${hookBase}/slack`]), alert, Date.now())).toBe(true);
    expect(String(received[0]!.body.text)).toMatch(
      new RegExp(
        `^:white_check_mark: Scalehouse: recovered: \`/checkout\` on \`shop\\.example\` newly fails: .* <${DASHBOARD.replaceAll('.', '\\.')}/\\?site=shop\\.example&amp;from=a%7Cb\\|open the dashboard>$`,
      ),
    );
  });
});
