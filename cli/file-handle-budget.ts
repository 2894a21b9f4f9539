/**
 * Whether the connection caps leave the process file handles for its own
 * work. Every socket a listener holds is a file handle; at the process's
 * open-file limit (RLIMIT_NOFILE, which Node raises to the hard limit at
 * start) every open() and accept() fails with EMFILE — the bus's files,
 * ClickHouse's parts, the HTTP server — so the caps must sum well below it.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../common/config.ts';

/** Kept for everything but the listeners' sockets: the bus, the embedded engine's parts, logs, outbound connections. */
export const RESERVED_FILE_HANDLES = 512;

type CapSettings = 'HTTP_MAX_CONNECTIONS' | 'SYSLOG_PORT' | 'SYSLOG_TLS_PORT' | 'SYSLOG_MAX_CONNECTIONS';

/** The sockets the listeners may hold at once (the syslog caps count per listener). Pure. */
export function listenerSockets(config: Pick<Config, CapSettings>, syslog: boolean): number {
  const streams = syslog && config.SYSLOG_PORT > 0 ? (config.SYSLOG_TLS_PORT > 0 ? 2 : 1) : 0;
  return config.HTTP_MAX_CONNECTIONS + streams * config.SYSLOG_MAX_CONNECTIONS;
}

/** A warning when the caps and the reserve exceed the open-file limit; undefined when they fit. Pure. */
export function fileHandleProblem(sockets: number, openFileLimit: number): string | undefined {
  if (sockets + RESERVED_FILE_HANDLES <= openFileLimit) return undefined;
  return (
    `the connection caps allow ${sockets} sockets but this process may open ${openFileLimit} files, and needs about ${RESERVED_FILE_HANDLES} for its own work: ` +
    'a connection flood could leave it none. Lower HTTP_MAX_CONNECTIONS and SYSLOG_MAX_CONNECTIONS, or raise the limit (ulimit -n, systemd LimitNOFILE=, docker --ulimit nofile=)'
  );
}

/** The process's open-file limit, read from /proc on Linux; undefined elsewhere. */
export function readOpenFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !m ? undefined : m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return undefined; // not Linux: nothing to check against
  }
}
