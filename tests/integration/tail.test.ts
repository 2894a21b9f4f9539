/**
 * `scalehouse tail` on real files into the real engine: rename rotation,
 * copytruncate, restarts, a crash between loading and saving the position,
 * and a real process killed with SIGKILL — every line exactly once. Lines
 * over LOG_LINE_MAX_BYTES are `line_too_long` dead letters straight in, and
 * not sent to a collector, as `replay` and `POST /api/logs` treat them.
 */
import { describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { appendFileSync, copyFileSync, readdirSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTail, type TailSink } from '../../collector/tail/run-tail.ts';
import { httpSink, pipelineSink } from '../../collector/tail/sinks.ts';
import { FileFollower } from '../../collector/tail/follow-file.ts';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { decodeHit } from '../../common/hit.ts';
import { loadConfig } from '../../common/config.ts';
import { listen } from '../../server/listen.ts';
import { collectorApp } from '../helpers/collector-app.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { dataDirClickHouse, freshClickHouse, rows } from '../helpers/clickhouse.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { CHROME, humanLine } from '../helpers/kafka.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { visitorHash } from '../../processor/steps/protect-privacy.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { tailStatePos } from '../helpers/cli-run.ts';

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => humanLine(`192.0.2.${((from + i) % 250) + 1}`, `/l/${from + i}`, from + i) + '\n').join('');
/** A combined line of about `bytes` bytes, its user agent padded out. */
const longLine = (path: string, bytes: number) => {
  const line = humanLine('192.0.2.1', path, 0);
  return line.replace(CHROME, `${CHROME} ${'p'.repeat(bytes - line.length - 1)}`) + '\n';
};
const countPaths = async (ch: ClickHouse) => {
  const r = await rows<{ path: string; n: number }>(ch, 'SELECT path, count() AS n FROM events GROUP BY path');
  return { total: r.length, doubled: r.filter((x) => Number(x.n) !== 1).map((x) => x.path), paths: new Set(r.map((x) => x.path)) };
};
const expectExactly = async (ch: ClickHouse, n: number) => {
  const c = await countPaths(ch);
  expect(c.doubled).toEqual([]);
  expect(c.total).toBe(n);
  for (let i = 0; i < n; i++) if (!c.paths.has(`/l/${i}`)) throw new Error(`line ${i} is missing`);
};

describe('tail', () => {
  it('follows rename rotation, copytruncate, restarts and a crash mid-chunk, loading every line once', async () => {
    const dir = tempDir('tail');
    const file = join(dir, 'access.log');
    const stateDir = join(dir, 'state');
    const ch = await freshClickHouse();
    const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
    const waitLoaded = (n: number) => waitFor(`${n} lines loaded`, async () => ((await countPaths(ch)).total >= n ? true : undefined));
    const start = (sink: TailSink = pipelineSink(handle)) => {
      const stop = new AbortController();
      const done = runTail({ path: file, site: 'example.com', stateDir, sink, maxLineBytes: 65536, pollMs: 20, signal: stop.signal });
      return {
        stop: async () => {
          stop.abort();
          await done;
        },
        done,
      };
    };

    writeFileSync(file, lines(0, 100));
    let t = start();
    await waitLoaded(100);

    // Rename rotation, as logrotate does: the writer keeps its descriptor a moment longer.
    appendFileSync(file, lines(100, 120));
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, lines(120, 125)); // nginx writes a few more lines before it reopens
    writeFileSync(file, lines(125, 175));
    await waitLoaded(175);

    // copytruncate: copied away, then emptied in place, then written again.
    copyFileSync(file, `${file}.2`);
    truncateSync(file, 0);
    appendFileSync(file, lines(175, 205));
    await waitLoaded(205);

    // Restart mid-file: stopped, the file grows, started again.
    await t.stop();
    appendFileSync(file, lines(205, 245));
    t = start();
    await waitLoaded(245);
    await t.stop();

    // A crash after ClickHouse took a chunk but before the position was saved.
    appendFileSync(file, lines(245, 300));
    const crashing: TailSink = {
      exactlyOnce: true,
      send: async (hits, meta) => {
        await pipelineSink(handle).send(hits, meta);
        throw new ScalehouseError('simulated crash', { retriable: false });
      },
    };
    await expect(start(crashing).done).rejects.toThrow('simulated crash');
    // A rotation while it was down, too.
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines(300, 320));
    t = start();
    await waitLoaded(320);
    await t.stop();

    await expectExactly(ch, 320);
    expect(readdirSync(stateDir)).toHaveLength(1);
    await ch.close();
  });

  it('finishes the copy after a copytruncate while it was stopped, drains late writes to a renamed file, and dead-letters overlong lines', async () => {
    const dir = tempDir('tail-edge');
    const file = join(dir, 'access.log');
    const stateDir = join(dir, 'state');
    const ch = await freshClickHouse();
    const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
    const waitLoaded = (n: number) => waitFor(`${n} lines loaded`, async () => ((await countPaths(ch)).total >= n ? true : undefined));
    const start = () => {
      const stop = new AbortController();
      const done = runTail({
        path: file,
        site: 'example.com',
        stateDir,
        sink: pipelineSink(handle),
        maxLineBytes: 4096,
        pollMs: 20,
        signal: stop.signal,
      });
      return async () => {
        stop.abort();
        await done;
      };
    };

    writeFileSync(file, lines(0, 100));
    let stop = start();
    await waitLoaded(100);
    await stop();
    // While stopped: the log grows, is copied away and truncated, and grows again past where we were.
    appendFileSync(file, lines(100, 150));
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    appendFileSync(file, lines(150, 300));
    stop = start();
    await waitLoaded(300);

    // Rename rotation, and the writer keeps writing to the old file for a moment after.
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines(300, 310));
    await waitLoaded(310);
    appendFileSync(`${file}.1`, lines(310, 320));
    await waitLoaded(320);

    // A line of 30,000 bytes that are not UTF-8 is over the limit: a dead letter, and the lines after it still come.
    appendFileSync(
      file,
      Buffer.concat([
        Buffer.from('192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET /long HTTP/1.1" 200 1 "-" "'),
        Buffer.alloc(30_000, 0xff),
        Buffer.from('"\n'),
      ]),
    );
    appendFileSync(file, lines(320, 330));
    await waitLoaded(330);
    await stop();
    await expectExactly(ch, 330);
    expect(await rows(ch, 'SELECT reason FROM dead_letters')).toEqual([{ reason: 'line_too_long' }]);
    await ch.close();
  });

  it('makes lines over LOG_LINE_MAX_BYTES line_too_long dead letters, not hits, and loads the lines around them', async () => {
    const dir = tempDir('tail-long');
    const file = join(dir, 'access.log');
    const ch = await freshClickHouse();
    const { handle } = createBatchHandler({ ch, salts: new SaltStore(ch), sessionTimeoutMs: 1_800_000 });
    const stop = new AbortController();
    const done = runTail({
      path: file,
      site: 'example.com',
      stateDir: join(dir, 'state'),
      sink: pipelineSink(handle),
      maxLineBytes: 4096,
      pollMs: 20,
      signal: stop.signal,
    });
    const waitLoaded = (n: number) => waitFor(`${n} lines loaded`, async () => ((await countPaths(ch)).total >= n ? true : undefined));

    // Over the limit but within one read; then 3 MB, over several reads, its end written while tail waits for it.
    writeFileSync(file, lines(0, 10) + longLine('/long-1', 5000) + lines(10, 20));
    const big = longLine('/long-2', 3 * 2 ** 20);
    appendFileSync(file, big.slice(0, 2 * 2 ** 20));
    await waitLoaded(20);
    appendFileSync(file, big.slice(2 * 2 ** 20) + lines(20, 30));
    await waitFor('both long lines dead-lettered', async () => {
      const [r] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM dead_letters');
      return Number(r!.n) >= 2 ? true : undefined;
    });
    await waitLoaded(30);
    stop.abort();
    await done;

    await expectExactly(ch, 30);
    const letters = await rows<{ reason: string; detail: string; head: string; bytes: number }>(
      ch,
      'SELECT reason, detail, substring(raw, 1, 60) AS head, length(raw) AS bytes FROM dead_letters ORDER BY length(position), position',
    );
    expect(letters.map(({ reason, detail }) => ({ reason, detail }))).toEqual([
      { reason: 'line_too_long', detail: 'line of 5000 bytes, longer than 4096 (LOG_LINE_MAX_BYTES): kept its first 1024' },
      { reason: 'line_too_long', detail: `line of ${3 * 2 ** 20} bytes, longer than 4096 (LOG_LINE_MAX_BYTES): kept its first 1024` },
    ]);
    for (const l of letters) expect(Number(l.bytes)).toBeLessThanOrEqual(1024);
    expect(letters.map((l) => l.head.includes('/long-'))).toEqual([true, true]);
    await ch.close();
  });

  it('through a collector (--to), leaves lines over the limit out and sends the rest', async () => {
    const dir = tempDir('tail-to');
    const file = join(dir, 'access.log');
    const bus = await LocalBus.open({ dir: join(dir, 'bus') });
    const config = loadConfig({ SITES: 'example.com', LOG_LINE_MAX_BYTES: '4096' });
    const server = await listen(collectorApp({ config, bus, ingestToken: 'tok', peerAddress: () => '127.0.0.1' }), {
      host: '127.0.0.1',
      port: 0,
    });
    const got: string[] = [];
    await bus.consume(async (b) => void got.push(...b.records.map((r) => (decodeHit(r.value) as { line: string }).line)), {
      maxRecords: 100,
    });
    const stop = new AbortController();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(file, lines(0, 10) + longLine('/long-1', 5000) + lines(10, 20) + longLine('/long-2', 3 * 2 ** 20) + lines(20, 30));
    const done = runTail({
      path: file,
      site: 'example.com',
      stateDir: join(dir, 'state'),
      sink: httpSink(base, 'tok', 'example.com'),
      maxLineBytes: 4096,
      pollMs: 20,
      signal: stop.signal,
    });
    await waitFor('30 lines on the bus', async () => (got.length >= 30 ? true : undefined));
    stop.abort();
    await done;
    await new Promise((r) => server.close(r));
    await bus.close();
    const paths = got.map((l) => /GET (\S+)/.exec(l)?.[1]);
    expect(paths).toEqual(Array.from({ length: 30 }, (_, i) => `/l/${i}`));
  });

  it("holds no more than a line's head while reading a 100 MB line, and goes on after it", async () => {
    const dir = tempDir('tail-100mb');
    const file = join(dir, 'access.log');
    writeFileSync(file, lines(0, 5));
    const mib = Buffer.alloc(2 ** 20, 'x');
    for (let i = 0; i < 100; i++) appendFileSync(file, mib);
    // Node's gc(), as --expose-gc gives it, in a test run without the flag.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // What stays reachable: collected twice, a turn apart, so freed buffers are given back before it is read.
    const held = async () => {
      gc();
      await new Promise((r) => setImmediate(r));
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const follower = new FileFollower(file, 4096);
    await follower.open(undefined);
    const first = await follower.read();
    expect(first!.lines.map((l) => l.text)).toEqual(lines(0, 5).split('\n').slice(0, 5));
    await follower.commit(first!);
    const before = await held();
    // The 100 MB read through, its end not yet written: nothing to hand on, and only its head kept meanwhile.
    expect(await follower.read()).toBeUndefined();
    expect((await held()) - before).toBeLessThan(16 * 2 ** 20);
    appendFileSync(file, '\n' + lines(5, 6));
    const long = await follower.read();
    expect(long!.lines).toEqual([
      {
        text: 'x'.repeat(1024),
        at: long!.from,
        cut: `line of ${100 * 2 ** 20} bytes, longer than 4096 (LOG_LINE_MAX_BYTES): kept its first 1024`,
      },
    ]);
    await follower.commit(long!);
    expect((await follower.read())!.lines.map((l) => l.text)).toEqual([lines(5, 6).trimEnd()]);
    await follower.close();
  });

  it('a real `scalehouse tail` killed with SIGKILL while the log grows resumes without loss or duplicates', async () => {
    const dir = tempDir('tail-proc');
    const file = join(dir, 'access.log');
    const dataDir = join(dir, 'data');
    const bin = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
    const run = () => {
      const child = spawn(process.execPath, [bin, 'tail', file, '--site', 'example.com'], {
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', KAFKA_BROKERS: '', CLICKHOUSE_URL: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      // Following: its signal handlers are in place (a SIGTERM before that is Node's default: death by signal).
      const following = new Promise<true>((r) =>
        child.stderr!.on('data', (d: Buffer) => {
          if (d.toString().includes('following ')) r(true);
        }),
      );
      return { child, following, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
    };
    const statePos = () => tailStatePos(dataDir);

    writeFileSync(file, lines(0, 500));
    let p = run();
    let written = 500;
    const writer = setInterval(() => {
      if (written < 3000) {
        appendFileSync(file, lines(written, written + 20));
        written += 20;
      }
    }, 20);
    await waitFor('the tail to be part-way', async () => (statePos() > 0 ? true : undefined), 60_000);
    p.child.kill('SIGKILL');
    await within('scalehouse tail to die', p.exited);
    p = run();
    await within('the second tail to start following', p.following);
    await waitFor('the writer to finish', async () => (written >= 3000 ? true : undefined), 60_000);
    clearInterval(writer);
    await waitFor('the tail to reach the end', async () => (statePos() === statSync(file).size ? true : undefined), 60_000);
    p.child.kill('SIGTERM');
    expect(await within('scalehouse tail to exit after SIGTERM', p.exited)).toBe(0);

    const ch = await dataDirClickHouse(dataDir);
    await expectExactly(ch, 3000);
    // The addresses became the pseudonyms a collector makes of them: a visitor seen by tail and by the
    // beacon is one visitor. (Line 7 is from 192.0.2.8; its day's salt is in the app's ClickHouse.)
    const salts = new SaltStore(ch);
    await salts.refresh();
    const [seven] = await rows<{ visitor_id: string; day: string }>(
      ch,
      "SELECT toString(visitor_id) AS visitor_id, toString(toDate(ts)) AS day FROM events WHERE path = '/l/7'",
    );
    const pseudonym = pseudonymiser(salts.saltFor).address('192.0.2.8');
    expect(seven!.visitor_id).toBe(visitorHash(salts.saltFor(seven!.day), 'example.com', pseudonym, CHROME));
    await ch.close();
  });
});
