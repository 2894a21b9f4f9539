/**
 * Text from outside becomes valid, printable Unicode (common/clean-text.ts):
 * the rule on hostile strings, then each boundary that applies it — the Hit
 * builders, the syslog receiver, a followed file, and the parse step for
 * what JSON and \xHH escapes decode to.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanJson, cleanText, cutText } from '../../common/clean-text.ts';
import { beaconHit, logHit } from '../../common/hit.ts';
import { syslogToHit } from '../../collector/syslog/syslog-to-hit.ts';
import { FileFollower } from '../../collector/tail/follow-file.ts';
import { runPipeline } from '../../processor/pipeline.ts';
import { clfTime, TEST_SALT, testLogHit } from '../helpers/hits.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const R = '\uFFFD';
const NOW = Date.now();
const ctx = { saltFor: () => TEST_SALT };
// A browser's: an empty user agent is a bot's, and a bot is dropped before the end of the pipeline.
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('cleanText', () => {
  it.each([
    ['a lone high surrogate', 'a\ud800b', `a${R}b`],
    ['a lone high surrogate at the end', 'ab\udbff', `ab${R}`],
    ['a lone low surrogate', 'a\udc00b', `a${R}b`],
    ['a reversed pair', '\udc00\ud800', `${R}${R}`],
    ['two highs then a low: the second pairs', '\ud83d\ud83d\ude00', `${R}\u{1F600}`],
    ['NUL', 'ad\u0000min', `ad${R}min`],
    ['C0 controls', '\u0001\u0008\u000b\u000c\u001f', R.repeat(5)],
    ['an ANSI escape sequence (its ESC)', '\u001b[31mred', `${R}[31mred`],
    ['DEL', 'a\u007f', `a${R}`],
    ['C1 controls (NEL, CSI)', '\u0085\u009b2J', `${R}${R}2J`],
    ['tab, line feed and carriage return kept', 'a\tb\nc\r', 'a\tb\nc\r'],
    ['pairs, accents and U+FFFD kept', 'é 😀 漢 \uFFFD \u2028', 'é 😀 漢 \uFFFD \u2028'],
  ])('%s', (_name, input, want) => {
    expect(cleanText(input)).toBe(want);
    expect(cleanText(want)).toBe(want);
  });

  it('cuts before a pair rather than through it', () => {
    expect(cutText('ab😀', 3)).toBe('ab');
    expect(cutText('ab😀', 4)).toBe('ab😀');
    expect(cutText('abc', 2)).toBe('ab');
  });

  it('cleans every string of a JSON value, keys too, and keeps "__proto__" a key', () => {
    const value = JSON.parse('{"a\\ud800":["x\\u0000",{"__proto__":"\\udfff"}],"n":1,"b":true,"z":null}') as Record<string, unknown>;
    const clean = cleanJson(value);
    expect(JSON.stringify(clean)).toBe(
      JSON.stringify({ [`a${R}`]: [`x${R}`, JSON.parse(`{"__proto__":"${R}"}`)], n: 1, b: true, z: null }),
    );
    expect(Object.getPrototypeOf((clean[`a${R}`] as unknown[])[1])).toBe(Object.prototype);
  });
});

describe('the boundaries', () => {
  it('the Hit builders clean a beacon payload (props keys and values), its headers, and a log line', () => {
    const payload = JSON.parse(
      '{"site":"s.test","type":"event","url":"https://s.test/","name":"x\\ud800","props":{"k\\udc00":"v\\u0000"}}',
    ) as Record<string, unknown>;
    const hit = beaconHit('s.test', payload, { receivedAt: 0, client: '', headers: { userAgent: 'UA\u0007', acceptLanguage: 'en\ud800' } });
    expect(hit.payload).toEqual({ site: 's.test', type: 'event', url: 'https://s.test/', name: `x${R}`, props: { [`k${R}`]: `v${R}` } });
    expect(hit.headers).toEqual({ userAgent: `UA${R}`, acceptLanguage: `en${R}` });
    expect(logHit('s.test', 'GET /\u0000 \ud800', { receivedAt: 0 }).line).toBe(`GET /${R} ${R}`);
  });

  it('a syslog datagram with bytes that are not UTF-8, and a NUL, is a hit with U+FFFD in their place', () => {
    const bytes = Buffer.concat([
      Buffer.from('<190>Nov 28 10:00:00 web1 nginx: GET /a'),
      Buffer.from([0xff, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80]),
      Buffer.from(' x'),
    ]);
    const r = syslogToHit(bytes, '127.0.0.1', { siteByTag: { nginx: 's.test' }, sites: '*' }, 1000);
    // 0xED 0xA0 0x80 would be U+D800 in CESU-8: not UTF-8 (RFC 3629 §3), three U+FFFD (WHATWG Encoding).
    expect(r).toMatchObject({ hit: { site: 's.test', line: `GET /a${R}${R}(${R}${R}${R}${R} x` } });
  });

  it('a followed file with bytes that are not UTF-8, and a NUL, gives lines with U+FFFD in their place', async () => {
    const file = join(tempDir('clean-text-file'), 'access.log');
    writeFileSync(file, Buffer.concat([Buffer.from('one '), Buffer.from([0xff, 0x00, 0xe2, 0x82]), Buffer.from('\ntwo\n')]));
    const follower = new FileFollower(file, 4096);
    await follower.open(undefined);
    const chunk = await follower.read();
    await follower.close();
    expect(chunk!.lines.map((l) => logHit('s.test', l.text, { receivedAt: 0 }).line)).toEqual([`one ${R}${R}${R}`, 'two']);
  });

  it('the parse step cleans what escapes decode to: a beacon, nginx JSON, combined \\xHH, and UTM parameters', () => {
    const beacon = {
      v: 1,
      kind: 'beacon',
      site: 's.test',
      receivedAt: NOW,
      client: '~p',
      headers: { userAgent: UA },
      payload: JSON.parse('{"type":"event","url":"https://s.test/?utm_source=a%00b","name":"x\\ud800","props":{"k\\ud800":"v\\udc00"}}'),
    } as const;
    const b = runPipeline(beacon, ctx);
    expect(b).toMatchObject({ ok: true, event: { eventName: `x${R}`, props: { [`k${R}`]: `v${R}` }, utm: { source: `a${R}b` } } });

    const json = `{"msec":"${NOW / 1000}","remote_addr":"~p","request_method":"GET","request_uri":"/p\\ud800?utm_campaign=%C2%85","status":"200","http_referer":"https://r.test/\\u001b[2J","http_user_agent":"${UA}\\u0000"}`;
    const j = runPipeline(testLogHit(json, { receivedAt: NOW }), ctx);
    expect(j).toMatchObject({ ok: true, event: { path: `/p${R}`, referrer: `https://r.test/${R}[2J`, utm: { campaign: R } } });

    const combined = `~p - - [${clfTime(NOW)}] "GET /c HTTP/1.1" 200 5 "https://r.test/\\x00" "${UA}\\xed\\xa0\\x80 \\x1b"`;
    const c = runPipeline(testLogHit(combined, { receivedAt: NOW }), ctx);
    expect(c).toMatchObject({ ok: true, event: { referrer: `https://r.test/${R}` } });
    expect((c as { event: { userAgent: string } }).event.userAgent).toBe(`${UA}${R}${R}${R} ${R}`);
  });

  it('the beacon parser cuts names and props before a pair, not through it', () => {
    const name = `${'n'.repeat(199)}😀`;
    const hit = {
      v: 1,
      kind: 'beacon',
      site: 's.test',
      receivedAt: NOW,
      client: '~p',
      headers: { userAgent: UA },
      payload: { type: 'event', url: 'https://s.test/', name, props: { [`${'k'.repeat(99)}😀`]: `${'v'.repeat(499)}😀` } },
    } as const;
    expect(runPipeline(hit, ctx)).toMatchObject({
      ok: true,
      event: { eventName: 'n'.repeat(199), props: { ['k'.repeat(99)]: 'v'.repeat(499) } },
    });
  });
});
