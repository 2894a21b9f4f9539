/**
 * Runs `scalehouse start` as a real child process (as `npm start` does), for
 * tests that kill it. Output is kept to show when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor, within } from './wait-for.ts';

const BIN = fileURLToPath(new URL('../../bin/scalehouse.mjs', import.meta.url));

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

export interface AppProcess { child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }

export async function startApp(env: Record<string, string>, port: number): Promise<AppProcess> {
  let out = '';
  const child = spawn(process.execPath, [BIN, 'start'], {
    // Embedded mode unless a test says otherwise, whatever the caller's environment holds.
    env: { ...process.env, KAFKA_BROKERS: '', SYSLOG_PORT: '0', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`health of scalehouse start (output so far: ${out})`, async () => {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${out}`);
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    return res?.ok ? true : undefined;
  }, 30_000);
  return { child, url, output: () => out, exited };
}

/** Waits until everything acknowledged is loaded (ready, bus lag 0), then stops the app with SIGTERM: it must exit 0. */
export async function drainAndStop(app: AppProcess): Promise<void> {
  await waitFor('the processor to load everything acknowledged', async () => {
    const res = await fetch(`${app.url}/readyz`);
    const body = (await res.json()) as { bus: { lag: number } };
    return res.ok && body.bus.lag === 0 ? true : undefined;
  }, 90_000);
  app.child.kill('SIGTERM');
  const code = await within('scalehouse start to exit after SIGTERM', app.exited);
  if (code !== 0) throw new Error(`scalehouse start exited with ${code}: ${app.output()}`);
}
