/**
 * `scalehouse start` as the benchmarks run it: embedded, on loopback, no
 * syslog listener and no Kafka, quiet logs, a known dashboard password; each
 * benchmark adds what it measures (its sites, an ingest token, a trusted
 * proxy, Kafka…) in `env`, which wins over these.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/scalehouse.mjs', import.meta.url));

/** `checkout`: another checkout's `scalehouse` (a baseline to compare with), else this one's. */
export function startScalehouse(opts: {
  dataDir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  checkout?: string;
}): ChildProcess {
  const bin = opts.checkout ? join(opts.checkout, 'bin', 'scalehouse.mjs') : BIN;
  return spawn(process.execPath, [bin, 'start'], {
    env: {
      ...process.env,
      DATA_DIR: opts.dataDir,
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      SYSLOG_PORT: '0',
      KAFKA_BROKERS: '',
      LOG_LEVEL: 'warn',
      DASHBOARD_PASSWORD: 'bench-password',
      ...opts.env,
    },
    stdio: opts.stdio ?? 'ignore',
  });
}
