/**
 * No client address rests on disk: hits come in by beacon (through a trusted
 * proxy), by HTTP log batches (combined and nginx JSON), by syslog, and from
 * files through `scalehouse tail` and `scalehouse replay`, each from
 * addresses used nowhere else — and each carrying its own address in other
 * fields too (a query string, a referrer, a beacon's props, a bot's path),
 * as a "what is my IP" page would. Afterwards no file under DATA_DIR holds
 * any of them and no column of any table does, while visitors are still told
 * apart. A visitor who opted out is never written at all. Everything under
 * DATA_DIR is owner-only.
 */
import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { addressForms } from '../helpers/address-forms.ts';
import { runReplay, runTailToEnd } from '../helpers/cli-run.ts';
import { clientOf } from '../../clickhouse/raw-client.ts';
import { freePort, startApp } from '../helpers/app-process.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const TOKEN = 'privacy-test-token';
const ADDRESSES = {
  beacon: '203.0.113.77',
  combined: '198.51.100.177',
  json: '2001:db8:77::77',
  syslog: '192.0.2.177',
  optedOut: '203.0.113.99',
  tail: '2001:db8:88::88',
  replay: '198.51.100.199',
  replayJson: '2001:db8:99::99',
};
/** Every common way an address is written (an IPv6 address in full, percent-encoded…: tests/helpers/address-forms.ts). */
const FORMS = Object.values(ADDRESSES).flatMap(addressForms);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [join(dir, e.name), ...filesUnder(join(dir, e.name))] : [join(dir, e.name)],
  );
}

/**
 * Rows of every table (but those that store nothing: Null, views) that hold
 * `texts` in any column, case-insensitively, by table.
 */
async function rowsHolding(ch: ClickHouse, texts: string[]): Promise<Record<string, number>> {
  const tables = await rows<{ name: string }>(
    ch,
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
  );
  const found: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await rows<{ n: number }>(
      ch,
      `SELECT count() AS n FROM \`${name}\` WHERE multiSearchAnyCaseInsensitive(formatRow('TSV', *), {texts:Array(String)})`,
      { texts },
    );
    if (row!.n > 0) found[name] = row!.n;
  }
  return found;
}

/** Files under `dir` whose bytes contain `text`. */
const filesHolding = (dir: string, text: string) =>
  filesUnder(dir).filter((f) => statSync(f).isFile() && readFileSync(f).includes(Buffer.from(text)));

describe('privacy at rest', () => {
  it('keeps no client address in any file under DATA_DIR, writes nothing of opted-out visitors, and keeps visitors apart', async () => {
    const dataDir = tempDir('privacy');
    const [port, syslogPort] = [await freePort(), await freePort()];
    const app = await startApp(
      {
        DATA_DIR: dataDir,
        INGEST_TOKEN: TOKEN,
        SITES: 'example.com',
        TRUSTED_PROXIES: '127.0.0.1',
        DASHBOARD_PASSWORD: 'privacy-test',
        SYSLOG_PORT: String(syslogPort),
        SYSLOG_SITES: 'nginx=example.com',
      },
      port,
    );
    // Each hit carries its visitor's own address in its query string and referrer (a beacon's and a combined line's as its host,
    // with a port), and a beacon in its props, as well.
    const beacon = (path: string, from: string, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': UA, 'x-forwarded-for': from, ...headers },
        body: JSON.stringify({
          site: 'example.com',
          url: `https://example.com${path}?ip=${from}`,
          referrer: `http://${from}:8080/?me=${from}`,
          props: { ip: from, [from]: 'key' },
        }),
      });
    const now = new Date();
    const clf = now.toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000');
    const combinedOf = (addr: string, path: string, ua = UA) =>
      `${addr} - - [${clf}] "GET ${path}?ip=${addr} HTTP/1.1" 200 512 "http://${addr}:8080/?me=${addr}" "${ua}"`;
    const combined = (path: string) => combinedOf(ADDRESSES.combined, path);
    const json = (path: string, addr: string) =>
      JSON.stringify({
        msec: String(now.getTime() / 1000),
        remote_addr: addr,
        http_x_forwarded_for: addr,
        request_method: 'GET',
        request_uri: `${path}?ip=${encodeURIComponent(addr)}`,
        status: '200',
        http_referer: `https://ip.test/?me=${addr}`,
        http_user_agent: UA,
      });
    // A bot's hit keeps its path (bot_hits): the address there too.
    const bot = `${ADDRESSES.combined} - - [${clf}] "GET /ip/${ADDRESSES.combined} HTTP/1.1" 200 512 "-" "curl/8.5.0"`;

    for (const path of ['/b/1', '/b/2']) expect((await beacon(path, ADDRESSES.beacon)).status).toBe(202);
    const optedOut = await beacon('/opted-out-unique-path', ADDRESSES.optedOut, { 'sec-gpc': '1' });
    expect(await optedOut.json()).toEqual({ accepted: 0 });
    const logs = await fetch(`${app.url}/api/logs?site=example.com`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      body: [combined('/c/1'), combined('/c/2'), json('/j/1', ADDRESSES.json), json('/j/2', ADDRESSES.json), bot].join('\n'),
    });
    expect(await logs.json()).toEqual({ accepted: 5 });
    const udp = createSocket('udp4');
    for (const path of ['/s/1', '/s/2']) {
      await new Promise<void>((r, j) =>
        udp.send(`<190>Nov 28 10:00:00 nginx: ${json(path, ADDRESSES.syslog)}`, syslogPort, '127.0.0.1', (e) => (e ? j(e) : r())),
      );
    }
    udp.close();

    const ready = await waitFor('all 9 hits processed', async () => {
      const { body } = (await app.readyz()) as unknown as {
        body: { bus: { lag: number }; accepted: number; opted_out: number; syslog: { accepted: number } };
      };
      return body.syslog.accepted === 2 && body.bus.lag === 0 ? body : undefined;
    });
    expect(ready).toMatchObject({ accepted: 7, opted_out: 1 });
    // The reading is real: what was written is found (the bus segment still holds the hits' paths).
    expect(filesHolding(dataDir, '/c/1').some((f) => f.endsWith('.log'))).toBe(true);
    const look = () => Object.fromEntries([...FORMS, '/opted-out-unique-path'].map((t) => [t, filesHolding(dataDir, t)]));
    const none = Object.fromEntries([...FORMS, '/opted-out-unique-path'].map((t) => [t, []]));
    expect(look()).toEqual(none);

    app.child.kill('SIGTERM');
    expect(await within('scalehouse start to exit', app.exited)).toBe(0);

    // Files read straight into the pipeline: tail makes pseudonyms as a collector does; replay has raw addresses.
    const files = tempDir('privacy-files');
    const tailed = join(files, 'tailed.log');
    writeFileSync(tailed, `${json('/t/1', ADDRESSES.tail)}\n${json('/t/2', ADDRESSES.tail)}\n`);
    await runTailToEnd(dataDir, tailed, 'example.com');
    const replayed = join(files, 'replayed.log');
    const old = (path: string) => combinedOf(ADDRESSES.replay, path);
    writeFileSync(
      replayed,
      [
        old('/r/1'),
        old('/r/2'),
        json('/r/j', ADDRESSES.replayJson),
        combinedOf(ADDRESSES.replay, `/ip/${ADDRESSES.replay}`, 'curl/8.5.0'),
      ].join('\n'),
    );
    expect(await runReplay(dataDir, replayed, 'example.com')).toMatch(/ 4 lines → 3 events, 1 bots, /);
    expect(look()).toEqual(none);
    // Owner-only, all the way down (the bus, the secrets, the engine's files with the salts).
    expect(filesUnder(dataDir).filter((f) => (statSync(f).mode & 0o077) !== 0)).toEqual([]);

    const ch = await dataDirClickHouse(dataDir);
    // No column of any table holds an address; the scan is real: it finds what was written.
    expect(await rowsHolding(ch, FORMS)).toEqual({});
    expect(await rowsHolding(ch, ['/c/1', '/ip/'])).toMatchObject({ events: 1, bots_minute: 2 });
    const rs = await clientOf(ch).query({
      query:
        'SELECT substring(path, 1, 3) AS source, uniqExact(visitor_id) AS visitors, count() AS hits FROM events GROUP BY source ORDER BY source',
      format: 'JSONEachRow',
    });
    // Two hits of each address, one visitor each; seven addresses, seven visitors.
    expect(await rs.json()).toEqual([
      { source: '/b/', visitors: 1, hits: 2 },
      { source: '/c/', visitors: 1, hits: 2 },
      { source: '/j/', visitors: 1, hits: 2 },
      { source: '/r/', visitors: 2, hits: 3 },
      { source: '/s/', visitors: 1, hits: 2 },
      { source: '/t/', visitors: 1, hits: 2 },
    ]);
    const all = await clientOf(ch).query({ query: 'SELECT uniqExact(visitor_id) AS n FROM events', format: 'JSONEachRow' });
    expect(await all.json()).toEqual([{ n: 7 }]);
    await ch.close();
  });
});
