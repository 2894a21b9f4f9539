/**
 * `npm start` hands signals to the server: npm forwards SIGTERM to its
 * script's shell, and a shell that waits for `node` dies of it and leaves node
 * serving — the script `exec`s node, so node is the process npm signals.
 * Stopping the npm process must stop Scalehouse, as a process manager or a
 * terminal expects. Run with --ignore-scripts: the prestart build would write
 * dist/ into the checkout; bin/scalehouse.mjs runs the sources when dist/ is
 * not of them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/app-process.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'scalehouse-npm-start-'));
let group: number | undefined;

afterAll(() => {
  // npm ran in a process group of its own: whatever it left behind goes with the group.
  if (group !== undefined)
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      /* all gone already */
    }
  rmSync(dataDir, { recursive: true, force: true });
});

const serving = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

describe('npm start', () => {
  it('stops the server when the npm process gets SIGTERM: nothing serves the port afterwards', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        SYSLOG_PORT: '0',
        KAFKA_BROKERS: '',
        LOG_LEVEL: 'warn',
      },
    });
    group = npm.pid;
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    const died = exited.then((code) => {
      throw new Error(`npm start exited with ${code} before it served:\n${output}`);
    });
    await Promise.race([
      died,
      waitFor(
        '/healthz of npm start',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          return res?.ok ? true : undefined;
        },
        90_000,
      ),
    ]);

    process.kill(npm.pid!, 'SIGTERM');
    expect(await within('npm start to exit after SIGTERM', exited), output).toBe(0);
    // npm exits once its script has; a server its shell left behind would keep the port open.
    await waitFor(
      `port ${port} to close (a server left running by npm start?)`,
      async () => ((await serving(port)) ? undefined : true),
      30_000,
    );
  });
});
