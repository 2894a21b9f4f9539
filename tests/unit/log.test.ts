/**
 * The logger as operators meet it: a real child process configured from the
 * environment like every command, its stderr read line by line. JSON lines
 * parse with the documented keys, the readable mode reads as before, levels
 * filter, and secrets never show (common/log.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDebianProgram } from '../helpers/debian.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INGEST_TOKEN = 'ingest-token-one,ingest-token-two';
const SECRETS = ['hunter2-hunter2', 'abcdef', 'k-123456', 's3cret-pw', 'admin:', 'ingest-token-one', 'ingest-token-two', '203.0.113.9'];

const ARGS = ['--import', 'tsx', 'tests/helpers/log-lines.ts', 'demo'];
const envFor = (env: Record<string, string>) => ({ ...process.env, INGEST_TOKEN, LOG_LEVEL: 'info', LOG_FORMAT: 'auto', ...env });

function runLogger(env: Record<string, string>): { lines: string[]; stdout: string } {
  const run = spawnSync(process.execPath, ARGS, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: envFor(env) });
  expect(run.status, run.stderr).toBe(0);
  return { lines: run.stderr.split('\n').filter(Boolean), stdout: run.stdout };
}

/** The same, with stderr (and stdout) on a pseudo-terminal made by util-linux `script`. */
function runLoggerOnTerminal(env: Record<string, string>): string[] {
  const script = ensureDebianProgram(['/usr/bin/script'], 'bsdutils');
  const command = [process.execPath, ...ARGS].map((a) => `'${a}'`).join(' ');
  const run = spawnSync(script, ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: envFor(env) });
  expect(run.status, run.stdout + run.stderr).toBe(0);
  return run.stdout.split('\r\n').filter(Boolean);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const careless = {
  password: '[redacted]',
  nested: { Authorization: '[redacted]', list: [{ apiKey: '[redacted]' }] },
  clickhouse: 'http://[redacted]@ch.internal:8123/',
  raw: '[29 bytes]',
  big: '12345678901234567890',
};
const failed = (cause: Record<string, unknown>) => ({
  type: 'ScalehouseError',
  message: 'insert failed',
  cause: { type: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED', ...cause },
});

describe('log lines', () => {
  it('are one JSON object a line with time, level, msg, role, pid and the fields, when stderr is not a terminal', () => {
    for (const format of ['json', 'auto']) {
      const { lines, stdout } = runLogger({ LOG_FORMAT: format });
      expect(stdout).toBe('');
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const p of parsed) {
        expect(Object.keys(p).slice(0, 5)).toEqual(['time', 'level', 'msg', 'role', 'pid']);
        expect(p.time).toMatch(ISO);
      }
      const base = { time: expect.any(String), role: 'demo', pid: expect.any(Number) };
      expect(parsed).toEqual([
        { ...base, level: 'info', msg: 'plain line' },
        { ...base, level: 'warn', msg: 'careless caller', ...careless },
        { ...base, level: 'error', msg: 'cannot reach ClickHouse with token [redacted],[redacted]', error: failed({}) },
      ]);
    }
  });

  it('show debug lines, and errors with their stacks, only at LOG_LEVEL=debug', () => {
    const parsed = runLogger({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' }).lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.level)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(parsed[0]).toMatchObject({ msg: 'batch loaded', batch: 'local:0-9', records: 10 });
    const stack = (s: string) => expect.stringMatching(new RegExp(`^${s}\\n\\s+at .*log-lines\\.ts`));
    expect(parsed[3]!.error).toEqual({
      ...failed({ stack: stack('Error: connect ECONNREFUSED') }),
      stack: stack('ScalehouseError: insert failed'),
    });
  });

  it('hide what is below LOG_LEVEL', () => {
    const levels = (level: string) =>
      runLogger({ LOG_FORMAT: 'json', LOG_LEVEL: level }).lines.map((l) => (JSON.parse(l) as { level: string }).level);
    expect(levels('warn')).toEqual(['warn', 'error']);
    expect(levels('error')).toEqual(['error']);
    expect(levels('silent')).toEqual([]);
  });

  it('read as time, level, message and fields with LOG_FORMAT=pretty, uncoloured off a terminal', () => {
    const { lines } = runLogger({ LOG_FORMAT: 'pretty' });
    expect(lines.map((l) => l.slice(0, 24))).toEqual(lines.map(() => expect.stringMatching(ISO)));
    expect(lines.map((l) => l.slice(25))).toEqual([
      'info  plain line',
      `warn  careless caller ${JSON.stringify(careless)}`,
      `error cannot reach ClickHouse with token [redacted],[redacted] ${JSON.stringify({ error: failed({}) })}`,
    ]);
  });

  it('are readable and coloured at a terminal, unless LOG_FORMAT says json', () => {
    const lines = runLoggerOnTerminal({});
    expect(lines.map((l) => l.slice(25))).toEqual([
      '\x1b[32minfo \x1b[39m plain line',
      `\x1b[33mwarn \x1b[39m careless caller ${JSON.stringify(careless)}`,
      `\x1b[31merror\x1b[39m cannot reach ClickHouse with token [redacted],[redacted] ${JSON.stringify({ error: failed({}) })}`,
    ]);
    expect(runLoggerOnTerminal({ LOG_FORMAT: 'json' }).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'plain line',
      'careless caller',
      'cannot reach ClickHouse with token [redacted],[redacted]',
    ]);
  });

  it('never show a secret, in any format or level', () => {
    for (const format of ['json', 'pretty']) {
      const all = runLogger({ LOG_FORMAT: format, LOG_LEVEL: 'debug' }).lines.join('\n');
      for (const s of SECRETS) expect(all, `${format}: ${s}`).not.toContain(s);
    }
  });
});
