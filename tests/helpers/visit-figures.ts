/**
 * The visit figures of a whole log as the stats API gives them, compared with
 * those computed from the raw lines (read-log.ts); and the sessions table in a
 * form two runs can be compared by.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Hono } from 'hono';
import { statsRoutes } from '../../dashboard/api/routes.ts';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { HUMAN_SESSIONS, rows } from './clickhouse.ts';
import type { LogLine, visitFigures } from './read-log.ts';

const HOUR = 3_600_000;

/** The lines, as a log file in `dir`. */
export function writeLines(dir: string, name: string, lines: LogLine[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => l.raw).join('\n') + '\n');
  return file;
}

/** The whole hours around the lines, as the API's range parameters. */
export function rangeOf(lines: LogLine[], site = 'example.com'): string {
  const times = lines.map((l) => l.ts);
  return `site=${site}&from=${Math.floor(Math.min(...times) / HOUR) * HOUR}&to=${Math.ceil((Math.max(...times) + 1) / HOUR) * HOUR}`;
}

/** What the stats API says of the whole log. */
export async function apiFigures(ch: ClickHouse, lines: LogLine[]) {
  const app = new Hono().route('/api/stats', statsRoutes({ ch }));
  const get = async (name: string) =>
    ((await (await app.request(`/api/stats/${name}?${rangeOf(lines)}&limit=1000`)).json()) as { data: any }).data;
  const overview = (await get('overview')).current;
  const entries = (await get('entry-pages')) as { value: string; visits: number }[];
  const nonPage = (await get('non-page-referrers')) as { sessions: number }[];
  expect(entries.length).toBeLessThan(1000);
  return {
    visits: overview.visits,
    visitors: overview.visitors,
    bounceRate: overview.bounce_rate,
    avgDurationS: overview.avg_duration_s,
    nonPageSessions: nonPage.reduce((n, r) => n + r.sessions, 0),
    entryPages: Object.fromEntries(entries.map((e) => [e.value, e.visits])),
  };
}

export function expectFigures(actual: Awaited<ReturnType<typeof apiFigures>>, expected: ReturnType<typeof visitFigures>): void {
  expect(actual.visits).toBe(expected.visits);
  expect(actual.visitors).toBe(expected.visitors);
  expect(actual.nonPageSessions).toBe(expected.nonPageSessions);
  expect(actual.bounceRate).toBeCloseTo(expected.bounceRate, 4);
  expect(actual.avgDurationS).toBeCloseTo(expected.avgDurationS, 1);
  expect(actual.entryPages).toEqual(expected.entryPages);
}

/**
 * The sessions table — of visitors not found to be bots by behaviour: how much of a bot's day was in
 * sessions before its verdict depends on arrival order, and none of it counts — without what depends on
 * salts (visitor and session ids) or on the bus (stream, offsets), and with referrals from the site's own hosts read as direct, as the dashboards read them:
 * when a host is learned depends on the order hits arrive in, what it means does not.
 */
export const sessionsTable = (ch: ClickHouse) =>
  rows(
    ch,
    `
  SELECT toString(start_ts) AS start, toString(end_ts) AS end, hits, pageviews, is_bounce, duration_s, entry_path, exit_path,
         if(own, 'direct', channel) AS source, if(own, '', referrer_host) AS referrer, browser
  FROM (SELECT *, channel = 'referral' AND referrer_host IN (SELECT host FROM site_hosts) AS own FROM ${HUMAN_SESSIONS})
  ORDER BY start, end, hits, entry_path, exit_path, browser`,
  );
