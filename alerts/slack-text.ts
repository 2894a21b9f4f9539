/**
 * Text for Slack's `text` field and for what takes its incoming-webhook
 * format: Mattermost, Rocket.Chat, Discord's `/slack` endpoint. A path or a
 * site name from traffic is text, never markup, by the rules of each:
 *
 * - Slack reads `&`, `<` and `>` as control characters of its mrkdwn —
 *   `<!channel>` notifies a whole channel, `<https://x|label>` is a link —
 *   and asks for exactly these three to be written `&amp;`, `&lt;` and `&gt;`
 *   (Slack API docs, "Formatting text for app surfaces", "Escaping text"); it
 *   decodes them inside code spans too. Mattermost's Slack compatibility turns
 *   a literal `<!channel>`, `<!here>`, `<!all>` into `@channel`… before it
 *   reads mentions, so the same escaping covers it.
 * - Mattermost, Rocket.Chat and Discord read `@channel`, `@all`, `@here` and
 *   `@everyone` written plainly as mentions, and Mattermost and Discord make
 *   Markdown's `[label](https://x)` a link (CommonMark §6.3: the `(` must
 *   follow the `]` at once).
 *
 * So each value from traffic goes into an inline code span, which no receiver
 * formats (no link, no bold), with what could still act inside one made
 * inert: a U+2060 WORD JOINER after every `@` (invisible, but `@everyone` is
 * no longer the word a receiver matches, also where it looks for mentions in
 * the raw text, code or not), one after every `]` that a `(` follows, a
 * backtick — which would close the span — shown as U+02CB, and control
 * characters and line breaks, which would end the span or the line, as U+FFFD.
 * The rest of the text gets the same treatment, so what a search for a value
 * did not find is inert all the same.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `s` shown as written in Slack: no mention, no link, no entity of its own. */
export function escapeSlackText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ESCAPES[c]!);
}

// C0 and C1 controls (Unicode's Cc) and U+2028/U+2029: a receiver may take any of them for a line break.
const CONTROLS = /[\p{Cc}\u2028\u2029]/gu;
const WORD_JOINER = '\u2060';

/** `s` with nothing any of the receivers above reads as a mention, a link or the end of a code span. */
export function inertSlackText(s: string): string {
  const plain = s
    .replace(CONTROLS, '\ufffd')
    .replaceAll('`', '\u02cb')
    .replaceAll('@', `@${WORD_JOINER}`)
    .replaceAll('](', `]${WORD_JOINER}(`);
  return escapeSlackText(plain);
}

/** A value from traffic as an inline code span: shown as written, formatted by no receiver. */
export function slackCode(value: string): string {
  return `\`${inertSlackText(value)}\``;
}

/**
 * `text` with every occurrence of `values` (the traffic it was made from) as
 * a code span and the rest inert. Longer values are looked for first, so a
 * site name inside a path stays part of the path's span.
 */
export function quoteValues(text: string, values: string[]): string {
  const wanted = [...new Set(values.filter((v) => v !== ''))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return inertSlackText(text);
  const pattern = new RegExp(wanted.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|'), 'g');
  let out = '';
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    out += inertSlackText(text.slice(at, m.index)) + slackCode(m[0]);
    at = m.index + m[0].length;
  }
  return out + inertSlackText(text.slice(at));
}

/**
 * A link of the notifier's own: `<url|label>`. The URL is escaped like text
 * (Slack decodes the entities back), and a `|` in it, which would end the URL
 * early, is percent-encoded (RFC 3986 §2.1: the same URL to a browser).
 */
export function slackLink(url: string, label: string): string {
  return `<${escapeSlackText(url).replaceAll('|', '%7C')}|${escapeSlackText(label)}>`;
}
