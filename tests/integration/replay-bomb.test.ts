/**
 * `scalehouse replay` and `explain` (the real CLI, child processes) given
 * what is not a log: a gzip bomb made here from a stream (2 GiB of zeros,
 * 2 MB compressed: one "line" without end), and a .gz file that is not gzip.
 * Each ends with a message saying what is wrong and exit code 1 — not an
 * uncaught RangeError — and leaves no replay seed behind. A real log with
 * lines longer than LOG_LINE_MAX_BYTES in it is imported, those lines
 * counted as `line_too_long` dead letters (their first kilobyte kept).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { redactIps } from '../../common/redact-ips.ts';
import { dataDirClickHouse, rows } from '../helpers/clickhouse.ts';
import { fixture } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));

/** Runs the CLI; resolves with its exit code and output whatever the code. */
const run = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_BROKERS: '', CLICKHOUSE_URL: '', ...env },
        maxBuffer: 64 * 2 ** 20,
        timeout: 120_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** `head -c 2G /dev/zero | gzip`, from a stream: never 2 GiB in memory here either. */
async function makeBomb(path: string): Promise<void> {
  const mib = Buffer.alloc(2 ** 20);
  let left = 2048;
  const zeros = new Readable({
    read() {
      this.push(left-- > 0 ? mib : null);
    },
  });
  await pipeline(zeros, createGzip({ level: 9 }), createWriteStream(path));
}

const seedsLeft = async (dataDir: string) => {
  const ch = await dataDirClickHouse(dataDir);
  const [r] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM replay_seeds');
  await ch.close();
  return r!.n;
};

describe('a gzip bomb', () => {
  it('stops replay and explain with a message and exit code 1, leaving no replay seed', async () => {
    const dir = tempDir('bomb');
    const bomb = join(dir, 'access.log.gz');
    await makeBomb(bomb);
    const dataDir = tempDir('bomb-data');
    const refusal = `line 1 runs past ${16 * 65_536} bytes without a line break: this is not a text access log`;

    const replay = await run(['replay', bomb, '--site', 'example.com'], { DATA_DIR: dataDir });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain(`scalehouse replay: ${bomb}: ${refusal}`);
    expect(replay.stderr).not.toContain('RangeError');
    expect(await seedsLeft(dataDir)).toBe(0);

    const explain = await run(['explain', bomb, '--site', 'example.com']);
    expect(explain).toMatchObject({ code: 1, stdout: '' });
    expect(explain.stderr).toContain(`scalehouse explain: ${bomb}: ${refusal}`);
  }, 120_000);
});

describe('a .gz file that is not gzip', () => {
  it('is refused as such by replay, with no replay seed left', async () => {
    const dir = tempDir('not-gzip');
    const file = join(dir, 'access.log.gz');
    writeFileSync(file, readFileSync(fixture('logs/secrepo-2021.log')));
    const dataDir = tempDir('not-gzip-data');
    const replay = await run(['replay', file, '--site', 'example.com'], { DATA_DIR: dataDir });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toBe(
      `scalehouse replay: ${file} is not gzip data, or is damaged (incorrect header check): a file named .gz must be gzip\n`,
    );
    expect(await seedsLeft(dataDir)).toBe(0);
  }, 120_000);
});

describe('a log with lines longer than LOG_LINE_MAX_BYTES', () => {
  it('is imported, each long line a line_too_long dead letter holding its first kilobyte, in replay as in explain', async () => {
    const lines = readFileSync(fixture('logs/secrepo-2021.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 40);
    // A long request path, and a long line that is no log line at all.
    const long1 = lines[3]!.replace(/"GET \S+/, `"GET /${'a'.repeat(70_000)}`);
    const long2 = 'x'.repeat(300_000);
    const mixed = [...lines.slice(0, 10), long1, ...lines.slice(10, 30), long2, ...lines.slice(30)];
    const dir = tempDir('long-lines');
    const file = join(dir, 'access.log');
    writeFileSync(file, `${mixed.join('\n')}\n`);
    const dataDir = tempDir('long-lines-data');

    const replay = await run(['replay', file, '--site', 'example.com'], { DATA_DIR: dataDir });
    expect(replay.stderr.split('\n').filter((l) => !l.startsWith(`${file} [`) && l !== '')).toEqual([]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(new RegExp(` ${mixed.length} lines → \\d+ events, \\d+ bots, 0 opted out, 2 dead letters in `));
    const ch = await dataDirClickHouse(dataDir);
    const letters = await rows<{ site: string; reason: string; detail: string; raw: string; position: string }>(
      ch,
      'SELECT site, reason, detail, raw, position FROM dead_letters ORDER BY position',
    );
    const outcomes = await rows(
      ch,
      "SELECT outcome, sum(count) AS n FROM pipeline_stats WHERE site = 'example.com' GROUP BY outcome HAVING n > 0 ORDER BY outcome",
    );
    const [seeds] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM replay_seeds');
    await ch.close();
    expect(letters).toEqual([
      {
        site: 'example.com',
        reason: 'line_too_long',
        detail: `line of ${Buffer.byteLength(long1)} bytes, longer than 65536 (LOG_LINE_MAX_BYTES): kept its first 1024`,
        raw: redactIps(long1.slice(0, 1024)),
        position: `${file}:11`,
      },
      {
        site: 'example.com',
        reason: 'line_too_long',
        detail: 'line of 300000 bytes, longer than 65536 (LOG_LINE_MAX_BYTES): kept its first 1024',
        raw: 'x'.repeat(1024),
        position: `${file}:32`,
      },
    ]);
    expect(outcomes.reduce((n, o) => n + Number(o.n), 0)).toBe(mixed.length);
    expect(outcomes).toContainEqual({ outcome: 'dead_letter', n: 2 });
    expect(seeds!.n).toBe(0);

    const explain = await run(['explain', file, '--site', 'example.com']);
    expect(explain.code).toBe(0);
    const out = explain.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => o.line)).toEqual(mixed.map((_, i) => i + 1));
    expect(out.filter((o) => o.outcome === 'dead_letter')).toEqual([
      {
        line: 11,
        outcome: 'dead_letter',
        reason: 'line_too_long',
        detail: `line of ${Buffer.byteLength(long1)} bytes, longer than 65536 (LOG_LINE_MAX_BYTES): kept its first 1024`,
      },
      {
        line: 32,
        outcome: 'dead_letter',
        reason: 'line_too_long',
        detail: 'line of 300000 bytes, longer than 65536 (LOG_LINE_MAX_BYTES): kept its first 1024',
      },
    ]);
  }, 120_000);
});
