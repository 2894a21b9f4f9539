/**
 * `scalehouse replay` as a user runs it, a real child process on a fresh
 * DATA_DIR with its output piped: the progress ends at the file's real line
 * count, and a second import of the same file says it added nothing. The
 * figures expected are counted here from the raw file.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fixture } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { replaySummaryLine } from '../../cli/replay-summary.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));
// More than one batch of 5,000 lines, and not a multiple of it: the bar used to stop at 5000.
const FILE = fixture('logs/secrepo-2021.log');
const LINES = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '').length;
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const replay = async (dataDir: string) => {
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', KAFKA_BROKERS: '', CLICKHOUSE_URL: '' };
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'replay', FILE, '--site', 'example.com'], { env });
  return { stdout: stdout.trim(), progress: stderr.split('\n').filter((l) => l.startsWith(`${FILE} [`)) };
};

describe('scalehouse replay, run twice on one file', () => {
  it('ends its progress at the real line count, and the second time says nothing new was added', async () => {
    expect(LINES % 5000).not.toBe(0);
    const dataDir = tempDir('replay-cli');
    const first = await replay(dataDir);
    expect(first.progress.at(-1)).toMatch(new RegExp(` 100% ${LINES} lines \\d+s$`));
    expect(first.stdout).toMatch(new RegExp(`^${literal(FILE)}: ${LINES} lines → \\d+ events, \\d+ bots, 0 opted out, 0 dead letters in `));

    const second = await replay(dataDir);
    expect(second.progress.at(-1)).toMatch(new RegExp(` 100% ${LINES} lines \\d+s$`));
    // The same outcomes as the first time, read from the first run's own line.
    const outcomes = / → (.*) in /.exec(first.stdout)![1];
    expect(second.stdout).toMatch(
      new RegExp(`^${literal(FILE)}: already imported, nothing new added \\(${LINES} lines: ${literal(outcomes!)}\\) in `),
    );
  });
});

describe('the summary of a file imported in part before', () => {
  it('says how many of its lines were new', () => {
    const line = replaySummaryLine({
      file: 'a.log',
      lines: 5854,
      newLines: 854,
      events: 1122,
      bots: 4732,
      optedOut: 0,
      deadLetters: 0,
      seconds: 2,
    });
    expect(line).toBe(
      'a.log: 5854 lines, 854 of them new (the other 5000 were imported before) → 1122 events, 4732 bots, 0 opted out, 0 dead letters in 2.0s (2927 lines/s)',
    );
  });
});
