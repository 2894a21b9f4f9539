import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, writeSection } from './report.ts';
import { startScalehouse } from './start-scalehouse.ts';

const BUDGET = 1024;
const CODINGS = [
  ['none', ''],
  ['gzip', 'gzip, deflate'],
  ['brotli', 'gzip, deflate, br'],
] as const;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

/** The body's size as sent, and the coding it was sent with. */
const fetchSize = (url: string, acceptEncoding: string) =>
  new Promise<{ bytes: number; coding: string }>((resolve, reject) => {
    get(url, { headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve({ bytes, coding: res.headers['content-encoding'] ?? 'none' })
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    }).on('error', reject);
  });

const dataDir = mkdtempSync(join(tmpdir(), 'scalehouse-bench-snippet-'));
const port = await freePort();
const child = startScalehouse({ dataDir, port, stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
try {
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('scalehouse start did not become healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows: string[] = [];
  const sizes: Record<string, Record<string, number>> = {};
  for (const [path, label] of [
    ['/scalehouse.js', 'served, minified (`snippet/scalehouse.min.js`)'],
    ['/scalehouse.src.js', 'reference: the readable source (`snippet/scalehouse.js`)'],
  ] as const) {
    sizes[path] = {};
    for (const [name, accept] of CODINGS) {
      const { bytes, coding } = await fetchSize(`${base}${path}`, accept);
      if (coding !== (name === 'none' ? 'none' : name === 'gzip' ? 'gzip' : 'br'))
        throw new Error(`${path} with Accept-Encoding "${accept}" came back as ${coding}`);
      sizes[path]![name] = bytes;
    }
    rows.push(`| ${label} | ${CODINGS.map(([n]) => sizes[path]![n]!.toLocaleString('en')).join(' | ')} |`);
  }
  const gzip = sizes['/scalehouse.js']!.gzip!;
  const md = `## The beacon's size: \`GET /scalehouse.js\` as served

Command: \`npm run bench:snippet\` (\`bench/snippet-size.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}. A real
\`scalehouse start\`; each body's bytes as sent (node:http, not decoded), by the Accept-Encoding asked for.
The collector compresses once at start-up (gzip level 9, brotli quality 11).

**Reference**: the readable source the minified file is built from (\`npm run build:snippet\`, esbuild),
served by the same collector at \`/scalehouse.src.js\`.

| bytes | none | gzip | brotli |
|---|---|---|---|
${rows.join('\n')}

Budget: at most ${BUDGET.toLocaleString('en')} bytes gzipped — ${gzip <= BUDGET ? 'met' : 'NOT met'} (${gzip.toLocaleString('en')}).`;
  process.stdout.write(`${md}\n`);
  writeSection('snippet', md);
  if (gzip > BUDGET) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
  rmSync(dataDir, { recursive: true, force: true });
}
