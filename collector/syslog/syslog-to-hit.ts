/**
 * A syslog message to a log Hit, or the reason it is dropped. The site comes
 * from SYSLOG_SITES (the syslog tag, nginx's `tag=`), else — only while the
 * receiver listens on loopback — from the line's own "host" (the
 * scalehouse_json format carries $host). Syslog is unauthenticated and a UDP
 * sender's address can be forged: a receiver open to other machines takes
 * sites only from the operator's own mapping. Pure.
 */
import { logHit, type LogHit } from '../../common/hit.ts';
import { isValidSiteName } from '../../common/config.ts';
import { parseSyslog } from './parse-syslog.ts';
import { own } from '../../common/own.ts';

export type SyslogDrop =
  | 'not_allowed'
  | 'too_many_connections'
  | 'not_syslog'
  | 'oversized'
  | 'bad_framing'
  | 'empty_message'
  | 'unknown_site'
  | 'bus_unavailable';

// Bytes that are not UTF-8 become U+FFFD (WHATWG Encoding, "replacement" error mode), as they do for
// files (tail, replay): nginx's escape=json writes bytes of 0x80 and up as they came, so one odd byte
// in a request line must not cost the hit, nor make it depend on how the line was shipped.
const utf8 = new TextDecoder('utf-8');
const JSON_HOST = /"host"\s*:\s*"([^"]{1,253})"/;

export interface SyslogSiteRules {
  siteByTag: Record<string, string>;
  sites: string[] | '*';
  /** The line's "host" may name the site (when no tag maps it); off beyond loopback. */
  hostFromLine?: boolean;
}

export function syslogToHit(
  bytes: Buffer,
  peer: string,
  rules: SyslogSiteRules,
  now: number,
): { hit: LogHit } | { drop: SyslogDrop; detail: string } {
  const parsed = parseSyslog(utf8.decode(bytes));
  if (!parsed.ok) return { drop: parsed.reason, detail: parsed.detail };
  const line = parsed.message.msg.trim();
  if (!line) return { drop: 'empty_message', detail: 'syslog message without content' };
  const site =
    own(rules.siteByTag, parsed.message.tag) ??
    (rules.hostFromLine !== false
      ? JSON_HOST.exec(line)?.[1]
          ?.toLowerCase()
          .replace(/^www\./, '')
      : undefined);
  if (!site || !isValidSiteName(site) || (rules.sites !== '*' && !rules.sites.includes(site))) {
    return {
      drop: 'unknown_site',
      detail: `no site for tag "${parsed.message.tag}"${site ? ` or host "${site}"` : ''}; map it in SYSLOG_SITES`,
    };
  }
  return { hit: logHit(site, line, { receivedAt: now, client: peer }) };
}
