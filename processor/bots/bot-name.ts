/**
 * The name of a bot, from its user agent's own product token — "AhrefsBot",
 * "bingbot", "python-requests", "curl" — rather than the pattern that matched
 * ("bot", "http", ".com"), so the bots table has one row per bot: the token
 * (between separators) around the leftmost place isbot matched, without its
 * version; a URL names the bot by its host.
 */
import { isbotMatches } from 'isbot';
import { cutText } from '../../common/clean-text.ts';

const SEPARATOR = /[\s;()[\],]/;
// What cannot name anything: versions, and tokens every browser sends.
const NOT_A_NAME = /^(v?[\d._~-]+|mozilla|applewebkit|khtml|like|gecko|compatible|safari|chrome|version|mobile|u|en(-\w+)?)$/i;

function tokenAt(ua: string, at: number): string {
  let start = at;
  let end = at;
  while (start > 0 && !SEPARATOR.test(ua[start - 1]!)) start--;
  while (end < ua.length && !SEPARATOR.test(ua[end]!)) end++;
  return ua.slice(start, end);
}

/** The name a token gives, and whether it is a product's own (not an address of its maker). */
function nameOf(token: string): { name: string; own: boolean } {
  const url = /^\+?https?:\/\/([^/\s]+)/i.exec(token);
  if (url) return { name: url[1]!.replace(/^www\./, ''), own: false };
  const name = token
    .replace(/^[+@:-]+/, '')
    .split('/')[0]!
    .replace(/[-_:.]+$/, '');
  return { name, own: !name.includes('@') && !/^[\w-]+(\.[\w-]+)+$/.test(name) };
}

export function botNameOf(userAgent: string): string {
  const candidates = [...new Set(isbotMatches(userAgent))]
    .map((m) => userAgent.indexOf(m))
    .filter((at) => at >= 0)
    .sort((a, b) => a - b)
    .map((at) => nameOf(tokenAt(userAgent, at)))
    .filter((c) => c.name && !NOT_A_NAME.test(c.name));
  // A product token first ("008" rather than the 80legs.com of its URL), else its maker's address.
  const first = candidates.find((c) => c.own) ?? candidates[0] ?? nameOf(userAgent.trim().split(SEPARATOR)[0] ?? '');
  return NOT_A_NAME.test(first.name) ? '' : cutText(first.name, 64);
}
