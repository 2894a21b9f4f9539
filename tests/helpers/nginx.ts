/**
 * A real nginx (Debian's) on a loopback port, in a folder of its own, with the
 * project's log format (nginx/scalehouse-log-format.conf) and a file access
 * log; as root (CI) it runs as nobody. `server` is put into the server block
 * as is (locations, a syslog access_log, …).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './app-process.ts';
import { ensureDebianProgram } from './debian.ts';
import { waitFor, within } from './wait-for.ts';

export const repoFile = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

export interface Nginx {
  port: number;
  dir: string;
  accessLog: string;
  stop(): Promise<void>;
}

export async function startNginx(opts: {
  files: Record<string, string | Buffer>;
  server?: string;
  probeUserAgent: string;
}): Promise<Nginx> {
  const bin = ensureDebianProgram(['/usr/sbin/nginx', '/usr/bin/nginx'], 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'scalehouse-nginx-'));
  for (const d of ['www', 'temp', 'logs']) mkdirSync(join(dir, d));
  for (const [name, body] of Object.entries(opts.files)) writeFileSync(join(dir, 'www', name), body);
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 64; }
http {
  include ${repoFile('nginx/scalehouse-log-format.conf')};
  types { text/html html; application/octet-stream bin; }
  client_body_temp_path ${dir}/temp/body; proxy_temp_path ${dir}/temp/proxy; fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi; scgi_temp_path ${dir}/temp/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name example.test;
    root ${dir}/www;
    access_log ${dir}/logs/access.log scalehouse_json;
    ${opts.server ?? ''}
  }
}
`,
  );
  // Unprivileged: as root (CI), nginx runs as nobody, in a folder nobody owns.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const own = (p: string) => {
      chownSync(p, 65534, 65534);
      if (statSync(p).isDirectory()) for (const f of readdirSync(p)) own(join(p, f));
    };
    own(dir);
    chmodSync(dir, 0o755);
  }
  const as = asRoot ? { uid: 65534, gid: 65534 } : {};
  execFileSync(bin, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe', ...as });
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'], ...as });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // The probe is one GET / in the access log.
  await waitFor('nginx to answer', async () =>
    (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'user-agent': opts.probeUserAgent } }).catch(() => undefined))?.ok
      ? true
      : undefined,
  );
  return {
    port,
    dir,
    accessLog: join(dir, 'logs', 'access.log'),
    stop: async () => {
      child.kill('SIGQUIT');
      await within('nginx to stop', exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
