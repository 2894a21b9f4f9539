/**
 * What several benchmarks share besides the report: the version of the
 * GoAccess they compare against, and a dashboard login for reading the API
 * of the `scalehouse start` they run.
 */
import { spawnSync } from 'node:child_process';
import { SESSION_COOKIE } from '../dashboard/auth/session.ts';

/** GoAccess's version ("1.7"), as Debian's package reports it. */
export function goaccessVersion(): string {
  const v = spawnSync('/usr/bin/goaccess', ['--version']).stdout.toString();
  return /GoAccess - (\d+(?:\.\d+)*)/.exec(v)?.[1] ?? '';
}

/** Logs in to the dashboard at `base` with `password`; the session cookie ("name=value") to send with API reads. */
export async function dashboardLogin(base: string, password: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!res.ok || !cookie) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return cookie.split(';')[0]!;
}
