/**
 * Text for Slack's `text` field (and what speaks its incoming-webhook format).
 * Slack reads `&`, `<` and `>` as control characters of its mrkdwn — `<!channel>`
 * notifies a whole channel, `<https://x|label>` is a link — and asks for
 * exactly these three to be written `&amp;`, `&lt;` and `&gt;`, and nothing
 * else entity-encoded (Slack API docs, "Formatting text for app surfaces",
 * "Escaping text"). A path or a site name from traffic is text, never markup.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `s` shown as written: no mention, no link, no entity of its own. */
export function escapeSlackText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ESCAPES[c]!);
}

/**
 * A link of the notifier's own: `<url|label>`. The URL is escaped like text
 * (Slack decodes the entities back), and a `|` in it, which would end the URL
 * early, is percent-encoded (RFC 3986 §2.1: the same URL to a browser).
 */
export function slackLink(url: string, label: string): string {
  return `<${escapeSlackText(url).replaceAll('|', '%7C')}|${escapeSlackText(label)}>`;
}
