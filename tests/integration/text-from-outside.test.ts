/**
 * Text that is not valid Unicode, from every door of a real `scalehouse
 * start`: a beacon whose JSON escapes a lone surrogate (in its event name and
 * props), a JSON access-log line with one in request_uri over POST /api/logs
 * and over syslog, a syslog datagram with bytes that are not UTF-8; then the
 * same kinds of line from files through `scalehouse tail` and `replay`. Each
 * is loaded as an event with U+FFFD in place — not refused by ClickHouse
 * ("Cannot parse escape sequence: missing second part of surrogate pair"),
 * not a dead letter, not holding up the hits behind it.
 */
import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { freePort, startApp } from '../helpers/app-process.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { runReplay, runTailToEnd } from '../helpers/cli-run.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const TOKEN = 'text-test-token';
const R = '\uFFFD';
const json = (path: string) =>
  `{"msec":"${Date.now() / 1000}","remote_addr":"192.0.2.1","request_method":"GET","request_uri":"${path}","status":"200","http_user_agent":"${UA}"}`;
/** A file's lines: nginx JSON with a lone surrogate's escape, and one with a byte that is not UTF-8 and a raw NUL. */
const fileOf = (dir: string, name: string): string => {
  const path = join(dir, `${name}.log`);
  const [before, after] = json(`/${name}-bytes|`).split('|') as [string, string];
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(`${json(`/${name}\\ud800`)}\n${before}`), Buffer.from([0xff, 0x00]), Buffer.from(`${after}\n`)]),
  );
  return path;
};

describe('text from outside', () => {
  it('loads lone surrogates, NULs and bytes that are not UTF-8 as U+FFFD, from the beacon, HTTP logs, syslog, tail and replay', async () => {
    const dataDir = tempDir('text-from-outside');
    const [port, syslogPort] = [await freePort(), await freePort()];
    const app = await startApp(
      {
        DATA_DIR: dataDir,
        INGEST_TOKEN: TOKEN,
        SITES: 's.test',
        DASHBOARD_PASSWORD: 'text-test-pass',
        SYSLOG_PORT: String(syslogPort),
        SYSLOG_SITES: 'nginx=s.test',
      },
      port,
    );
    try {
      // The beacon of issue 25, as bytes: JSON's own escape of a lone surrogate, which JSON.parse lets through.
      const beacon = '{"site":"s.test","type":"event","url":"https://s.test/","name":"x\\ud800","props":{"k\\udc00":"v\\ud800"}}';
      const sent = await fetch(`${app.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': UA },
        body: beacon,
      });
      expect(sent.status).toBe(202);
      const logs = await fetch(`${app.url}/api/logs?site=s.test`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
        body: json('/http\\ud800'),
      });
      expect(await logs.json()).toEqual({ accepted: 1 });
      const udp = createSocket('udp4');
      // nginx's escape=json writes bytes of 0x80 and up as they came: here three that are not UTF-8 in the request line.
      const [before, after] = `<190>Nov 28 10:00:00 nginx: ${json('/bytes|')}`.split('|') as [string, string];
      const datagrams = [
        Buffer.from(`<190>Nov 28 10:00:00 nginx: ${json('/udp\\ud800')}`),
        Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from(after)]),
      ];
      for (const d of datagrams) await new Promise<void>((r, j) => udp.send(d, syslogPort, '127.0.0.1', (e) => (e ? j(e) : r())));
      udp.close();

      await waitFor(
        'the four hits loaded',
        async () => {
          const { body } = (await app.readyz()) as unknown as { body: { bus: { lag: number }; syslog: { accepted: number } } };
          return body.syslog.accepted === 2 && body.bus.lag === 0 ? true : undefined;
        },
        60_000,
      );
    } finally {
      app.child.kill('SIGTERM');
      await within('scalehouse start to exit', app.exited);
    }

    const files = tempDir('text-from-outside-files');
    expect(await runReplay(dataDir, fileOf(files, 'replay'), 's.test')).toMatch(
      / 2 lines → 2 events, 0 bots, 0 opted out, 0 dead letters in /,
    );
    await runTailToEnd(dataDir, fileOf(files, 'tail'), 's.test');

    const ch = await dataDirClickHouse(dataDir);
    expect(await rows(ch, 'SELECT event_type, event_name, path, props FROM events ORDER BY path')).toEqual([
      { event_type: 'event', event_name: `x${R}`, path: '/', props: { [`k${R}`]: `v${R}` } },
      { event_type: 'request', event_name: '', path: `/bytes${R}${R}(`, props: {} },
      { event_type: 'request', event_name: '', path: `/http${R}`, props: {} },
      { event_type: 'request', event_name: '', path: `/replay-bytes${R}${R}`, props: {} },
      { event_type: 'request', event_name: '', path: `/replay${R}`, props: {} },
      { event_type: 'request', event_name: '', path: `/tail-bytes${R}${R}`, props: {} },
      { event_type: 'request', event_name: '', path: `/tail${R}`, props: {} },
      { event_type: 'request', event_name: '', path: `/udp${R}`, props: {} },
    ]);
    expect(await rows(ch, 'SELECT reason, detail FROM dead_letters')).toEqual([]);
    await ch.close();
  });
});
