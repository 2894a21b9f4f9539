/**
 * Hits for the differential test of enrichment in the engine
 * (tests/integration/stage-enrich.test.ts): every line of the real logs, and
 * made around the real user-agent and referrer corpora of ../shared/data —
 * JSON log lines (a Host with "www." and a port), beacons (the collector's
 * country, opt-outs, pseudonyms) — with the referrers and UTM queries whose
 * reading by WHATWG URL the engine's plain rule must either match or leave to
 * JavaScript, listed and made at random of the pieces that URL reads apart.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beaconHit, logHit, type Hit } from '../../common/hit.ts';
import { fixture, LOG_FILES } from './fixtures.ts';
import { TODAY } from './hits.ts';
import { seeded } from './seeded-random.ts';

/** The site each log is of, so that its own referrals are internal. */
export const LOG_SITES: Record<(typeof LOG_FILES)[number], string> = {
  'hackers-access.log': 'howto.basjes.nl',
  'secrepo-2021.log': 'www.secrepo.com',
  'secrepo-2018-12-15.log': 'www.secrepo.com',
};
/** Host names configured for the sites (SITE_HOSTS), as site_hosts holds them too. */
export const SITE_HOSTS: Record<string, string[]> = { 'howto.basjes.nl': ['niels.basjes.nl'], 'example.com': ['shop.example.org'] };

export const logLines = (file: string): string[] =>
  readFileSync(fixture(`logs/${file}`), 'utf8')
    .split('\n')
    .filter((l) => l.trim());

export function corpusUserAgents(): string[] {
  const lists = (file: string) =>
    Object.values(parse(readFileSync(fixture(`useragents/${file}`), 'utf8')) as Record<string, string[]>).flat();
  const uap = parse(readFileSync(fixture('useragents/uap-core-test_ua.yaml'), 'utf8')) as { test_cases: { user_agent_string: string }[] };
  return [...lists('isbot-crawlers.yml'), ...lists('isbot-browsers.yml'), ...uap.test_cases.map((c) => c.user_agent_string), ''];
}

export function corpusReferrerHosts(): string[] {
  const hosts = new Set<string>();
  for (const file of ['SearchEngines.yml', 'Socials.yml', 'AIAssistants.yml'])
    for (const m of readFileSync(fixture(`referrers/${file}`), 'utf8').matchAll(/^\s+-\s+"?([^"\s]+\.[^"\s]+)"?\s*$/gm)) hosts.add(m[1]!);
  return [...hosts];
}

export const EDGE_REFERRERS = [
  'http://EXAMPLE.com/A/b',
  'https://www.Google.com/search?q=x',
  'http://example.com',
  'http://example.com?x=1',
  'http://example.com#f',
  'http://example.com./',
  'http://a..b/',
  'http://1.2.3.4/',
  'http://0x7f.1/',
  'http://foo.123/',
  'http://foo.0x1f/',
  'http://xn--nxasmq6b.com/',
  'http://xn--a.com/',
  'http://bücher.de/',
  'http://例え.jp/',
  'http://ex ample.com/',
  ' http://example.com/ ',
  'http://example.com/a/../b',
  'http://example.com/%2e%2E/x',
  'http://example.com/a b',
  'http://example.com/ä',
  'http://user:pw@example.com/',
  'http://example.com:99999/',
  'http://example.com:/',
  'http:/example.com/x',
  'http:example.com',
  'HTTP://EXAMPLE.COM/X',
  'ftp://example.com/x',
  'android-app://com.google.android.gm/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'example.com',
  '//example.com/x',
  'http://[::1]/x',
  'http://[ip]/x',
  'http://example.com\\x',
  'http://exa\tmple.com/',
  'http://_dmarc.example.com/',
  'http://-a-.com/',
  'http://example.com/{x}',
  'http://example.com/^',
  'http://example.com/`',
  'http://m.facebook.com/',
  'https://mail.google.com/mail/u/0',
  'https://t.co/abc',
  'https://news.ycombinator.com/item?id=1',
  'http://sub.howto.basjes.nl/x',
  'http://www.secrepo.com/x',
  'http://127.0.0.1:8080/',
  'http://0/',
  'http://example.com/%zz',
  'http://example.com/a%2Fb',
  'https://EXAMPLE.com:443/',
  'http://a.b.c.d.e/',
  'http://example.com/a/./b',
  'http://example.com/.hidden',
  'http://example.com/..foo',
  'http://shop.example.org/cart',
  'http://WWW.Shop.Example.org/',
  'https://www./',
  'http://example.com/a\nb',
  'http://example.com/?q=a\nb',
  'http://a-.b-/',
  'http://www.www.example.com/',
  'http://example.com:0080/p',
];

export const EDGE_QUERIES = [
  'utm_source=Google&utm_medium=CPC&utm_campaign=Spring+Sale',
  'utm_source=%E2%9C%93&utm_medium=email',
  'utm_source=%FF%FE',
  'utm_source=caf%C3%A9',
  'utm_source=CAFÉ',
  'utm_source=%00x',
  'utm_source=a%0Ab',
  'utm%5Fsource=x&utm_term=1',
  'utm%5Fsource=x',
  '?utm_source=q',
  'utm_source=a&utm_source=b',
  'utm_source',
  `utm_source=${'X'.repeat(300)}`,
  `utm_source=${'é'.repeat(150)}`,
  `utm_source=${'%F0%9F%98%80'.repeat(120)}`,
  `utm_content=a${'%F0%9F%98%80'.repeat(100)}`,
  'utm_medium=social',
  'utm_medium=newsletter',
  'utm_medium=paid_social',
  'utm_medium=cpc%0A',
  'utm_campaign=x=y=z',
  'utm_source=%zz%4',
  'utm_source=İSTANBUL',
  'utm_source=ΣΑΣ',
  'utm_source=%2B+%2b',
  'a=1&&utm_content=%41%42',
  'utm_term=%7F%01',
  'utm_medium=Display&utm_source=',
  'x=utm_&y=1',
  'utm_term=%e2%82',
  'utm_source=%C0%AF',
  'utm_campaign=%ED%A0%80',
  'UTM_SOURCE=up&utm_medium=Email',
  'utm_source=a%26b&utm_medium=c%3Dd',
  'utm_source=a\tb',
];

const addressOf = (line: string): string => line.slice(0, line.indexOf(' '));

/** Every line of the real logs, as `scalehouse replay` reads them: addresses as written, no pseudonyms. */
export function logFileHits(): Hit[] {
  return LOG_FILES.flatMap((file) => logLines(file).map((line, i) => logHit(LOG_SITES[file], line, { receivedAt: TODAY + i })));
}

/** JSON log lines and beacons around the corpora and the edge cases, dated today (visitor_salts keeps today's salt). */
export function corpusHits(): Hit[] {
  const addresses = [...new Set(logLines('hackers-access.log').map(addressOf)), '2001:4860:4860::8888', '10.0.0.1', '::1'];
  const agents = corpusUserAgents();
  const referrers = [
    ...EDGE_REFERRERS,
    ...corpusReferrerHosts().map((h, i) => (i % 2 ? `https://${h}/` : `http://www.${h}/path/${i}?q=1`)),
  ];
  const n = Math.max(agents.length, referrers.length, EDGE_QUERIES.length);
  const hits: Hit[] = [];
  for (let i = 0; i < n; i++) {
    const ua = agents[i % agents.length]!;
    const referrer = referrers[i % referrers.length]!;
    const query = EDGE_QUERIES[i % EDGE_QUERIES.length]!;
    const client = addresses[i % addresses.length]!;
    const ts = TODAY + i * 1000;
    const host = ['www.Example.com:8080', 'example.com', 'shop.example.org', ''][i % 4]!;
    const path = ['/', '/a/page', '/style.CSS', '/img/x.PnG', '/doc.pdf?x'][i % 5]!;
    const json = {
      time_iso8601: new Date(ts).toISOString(),
      remote_addr: client,
      host,
      request_method: ['GET', 'GET', 'HEAD', 'POST'][i % 4],
      request_uri: `${path}${path.includes('?') ? '&' : '?'}${query}`,
      status: ['200', '304', '204', '301', '404', '200'][i % 6],
      body_bytes_sent: String(i),
      request_time: i % 3 ? '0.012' : '',
      http_referer: referrer,
      http_user_agent: ua,
    };
    hits.push(logHit('example.com', JSON.stringify(json), { receivedAt: ts }));
    const beacon = {
      type: ['pageview', 'event', 'engagement'][i % 3],
      name: 'signup',
      url: `https://${i % 2 ? 'www.' : ''}example.com/p/${i}?${query}`,
      referrer,
      w: 1280,
      engaged_ms: i,
    };
    const headers = { userAgent: ua, country: ['DE', '', 'xx', 'US1'][i % 4], optOut: i % 7 === 0, acceptLanguage: 'de-DE,de' };
    hits.push(beaconHit('www.example.com', beacon, { receivedAt: ts, client: i % 3 ? `~pseudonym${i % 50}` : client, headers }));
  }
  return hits;
}

// What WHATWG URL and URLSearchParams treat apart: IPv4 and IDNA forms, dot segments, escapes, separators.
const PIECES = [
  'a',
  'B',
  '0',
  '9',
  '-',
  '.',
  '_',
  'xn--',
  '0x',
  '1',
  '255',
  '256',
  '%2e',
  '%2E',
  '..',
  '/',
  '\\',
  '?',
  '#',
  ':',
  '@',
  '80',
  '99999',
  ' ',
  '\t',
  '\n',
  'é',
  '~',
  '!',
  '$',
  '&',
  "'",
  '(',
  ')',
  '*',
  '+',
  ',',
  ';',
  '=',
  '%',
  '%zz',
  '^',
  '`',
  '{',
  '}',
  '|',
  '[',
  ']',
  '"',
  '<',
  '>',
  'www.',
  'WWW.',
  '%41',
  '%FF',
  '%C3%A9',
  '%0A',
  'utm_source=',
  'utm_medium=',
  'utm_campaign=',
];
const STARTS = ['http://', 'https://', 'HTTP://', 'hTtPs://', 'http:/', 'ftp://', 'http:', 'http://www.', 'http://a.b', ''];

/** `count` JSON log lines whose referrer and query are made at random (seeded) of PIECES. */
export function awkwardHits(count: number, seed = 27): Hit[] {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const pieces = (n: number) => Array.from({ length: n }, () => pick(PIECES)).join('');
  return Array.from({ length: count }, (_, i) => {
    const line = JSON.stringify({
      time_iso8601: new Date(TODAY + i).toISOString(),
      remote_addr: '192.0.2.1',
      request_method: 'GET',
      request_uri: `/p?${pieces(Math.floor(random() * 8))}`,
      status: '200',
      http_referer: pick(STARTS) + pieces(1 + Math.floor(random() * 12)),
      http_user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    });
    return logHit('example.com', line, { receivedAt: TODAY + i });
  });
}
