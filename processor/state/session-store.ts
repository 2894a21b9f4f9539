/**
 * Open sessions are restored from the `sessions` table itself: each row
 * carries its bus stream and the offset of the last hit applied. A processor
 * that starts, restarts or takes over a Kafka partition loads the stream's
 * open sessions from there; hits of a redelivered batch that the state already
 * holds (offset <= last_offset) are skipped by sessionize, so nothing is
 * counted twice whether the crash came before or after the sessions insert.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import type { Session, SessionState } from '../batch/sessionize.ts';

type Row = Omit<Session, 'start' | 'last' | 'lastOffset'> & { start: number | string; last: number | string; last_offset: number | string;
  visitor_id: string; entry_path: string; exit_path: string; referrer_host: string; utm_source: string; utm_medium: string;
  utm_campaign: string; device_type: string };

export async function restoreSessions(ch: ClickHouse, stream: string, timeoutMs: number): Promise<SessionState> {
  const state: SessionState = new Map();
  for (const r of await selectRows<Row>(ch, 'queries/restore-sessions.sql', { stream, timeout_ms: timeoutMs })) {
    const s: Session = {
      id: r.id, site: r.site, visitorId: r.visitor_id, start: Number(r.start), last: Number(r.last), hits: Number(r.hits),
      pageviews: Number(r.pageviews), entryPath: r.entry_path, exitPath: r.exit_path, referrerHost: r.referrer_host,
      channel: r.channel, utmSource: r.utm_source, utmMedium: r.utm_medium, utmCampaign: r.utm_campaign, browser: r.browser,
      os: r.os, deviceType: r.device_type, country: r.country, lastOffset: Number(r.last_offset),
    };
    const key = `${s.site}|${s.visitorId}`;
    const held = state.get(key);
    if (!held || held.last < s.last) state.set(key, s);
  }
  return state;
}
