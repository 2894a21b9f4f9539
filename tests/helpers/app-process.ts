/**
 * Runs `scalehouse start` (as `npm start` does) or `scalehouse processor` as a
 * real child process, for tests that kill it. Output is kept to show when a
 * test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor, within } from './wait-for.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));

/**
 * `scalehouse processor` as a child process, its settings `env` over the caller's environment (a Kafka
 * processor: kafkaEnv(cfg), DATA_DIR, PORT…); no wait for it to be up — the tests watch the group.
 */
export function startProcessorProcess(env: Record<string, string>) {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'processor'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface AppProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  /** GET /readyz with the ingest token, which shows its problems and counters. */
  readyz: () => Promise<{ status: number; body: { problems: string[]; bus: { lag: number }; [k: string]: unknown } }>;
}

/** The ingest token of apps started here unless a test sets INGEST_TOKEN. */
export const TEST_INGEST_TOKEN = 'test-ingest-token';

/**
 * `healthTimeoutMs`: how long /healthz may take to answer. On Kafka, `scalehouse start` listens before its
 * consumer has joined the group (after a SIGKILL the join waits out the dead member's session timeout,
 * 30 s: tests/kafka/restart-intake.test.ts), so only the broker's first connection adds to the start.
 */
export async function startApp(env: Record<string, string>, port: number, opts: { healthTimeoutMs?: number } = {}): Promise<AppProcess> {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'start'], {
    // Embedded mode unless a test says otherwise, whatever the caller's environment holds.
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      SYSLOG_PORT: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      INGEST_TOKEN: TEST_INGEST_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'health of scalehouse start',
    async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${out}`);
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    opts.healthTimeoutMs ?? 30_000,
  ).catch((err: unknown) => {
    // A start that never answered is not left running behind the failed test.
    child.kill('SIGKILL');
    throw new Error(`${err instanceof Error ? err.message : String(err)} (output: ${out})`);
  });
  const token = env.INGEST_TOKEN ?? TEST_INGEST_TOKEN;
  const readyz = async () => {
    const res = await fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { problems: string[]; bus: { lag: number } } };
  };
  return { child, url, output: () => out, exited, readyz };
}

/** Waits until everything acknowledged is loaded (ready, bus lag 0), then stops the app with SIGTERM: it must exit 0. */
export async function drainAndStop(app: AppProcess): Promise<void> {
  await waitFor(
    'the processor to load everything acknowledged',
    async () => {
      const { status, body } = await app.readyz();
      return status === 200 && body.bus.lag === 0 ? true : undefined;
    },
    90_000,
  );
  app.child.kill('SIGTERM');
  const code = await within('scalehouse start to exit after SIGTERM', app.exited);
  if (code !== 0) throw new Error(`scalehouse start exited with ${code}: ${app.output()}`);
}
