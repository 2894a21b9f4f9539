/**
 * Open sessions are restored from the `sessions` table itself: each row
 * carries its bus stream, the offset of the last hit applied, and everything
 * session.ts merges by (entry and exit hit, ids its events were loaded with).
 * A processor that starts, restarts or takes over a Kafka partition loads the
 * stream's open sessions from there; hits of a redelivered batch that the
 * state already holds (offset <= last_offset) are skipped by sessionize, so
 * nothing is counted twice whether the crash came before or after the
 * sessions insert.
 */
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { selectRows } from '../../clickhouse/query.ts';
import type { Session } from '../batch/session.ts';
import type { BotFlag } from '../batch/bot-flag.ts';
import { emptySessionState, flagsKeptFrom, visitorKey, type SessionRules, type SessionState } from '../batch/sessionize.ts';

type Num = number | string;
interface Row {
  site: string;
  id: string;
  visitor_id: string;
  start: Num;
  last: Num;
  hits: Num;
  pageviews: Num;
  events: Num;
  engaged_ms: Num;
  entry_path: string;
  entry_ts: Num;
  entry_offset: Num;
  exit_path: string;
  exit_ts: Num;
  exit_offset: Num;
  referrer_host: string;
  channel: string;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
  browser: string;
  os: string;
  device_type: string;
  country: string;
  merged_ids: string[];
  unpaired_pages: string;
  recent_hits: string;
  last_offset: Num;
  stream_newest: Num;
}

/** The session a row describes, as session.ts merges it. */
export function sessionFromRow(r: Row): Session {
  const start = Number(r.start);
  return {
    id: r.id,
    site: r.site,
    visitorId: r.visitor_id,
    start,
    last: Number(r.last),
    hits: Number(r.hits),
    pageviews: Number(r.pageviews),
    events: Number(r.events),
    engagedMs: Number(r.engaged_ms),
    entry: {
      ts: Number(r.entry_ts),
      offset: Number(r.entry_offset),
      page: Number(r.pageviews) > 0,
      path: r.entry_path,
      referrerHost: r.referrer_host,
      channel: r.channel,
      utmSource: r.utm_source,
      utmMedium: r.utm_medium,
      utmCampaign: r.utm_campaign,
      browser: r.browser,
      os: r.os,
      deviceType: r.device_type,
      country: r.country,
    },
    exit:
      Number(r.pageviews) > 0
        ? { ts: Number(r.exit_ts), offset: Number(r.exit_offset), path: r.exit_path }
        : { ts: -Infinity, offset: -1, path: '' },
    lastOffset: Number(r.last_offset),
    written: [{ id: r.id, start }],
    mergedIds: r.merged_ids,
    unpaired: JSON.parse(r.unpaired_pages || '[]') as Session['unpaired'],
    recent: JSON.parse(r.recent_hits || '[]') as Session['recent'],
  };
}

export async function restoreSessions(ch: ClickHouse, stream: string, fromOffset: number, rules: SessionRules): Promise<SessionState> {
  const rows = await selectRows<Row>(ch, 'queries/restore-sessions.sql', {
    stream,
    from_offset: fromOffset,
    window_ms: rules.timeoutMs + rules.reorderMs,
  });
  const state = emptySessionState();
  // Row by row into its packed slot: one session's objects at a time, not every session's before any is packed.
  for (const r of rows) state.byVisitor.add(visitorKey(r.site, r.visitor_id), sessionFromRow(r));
  // The stream's time when the batch began (not after it, if it was loaded before a crash): late is measured against it.
  state.newest = Number(rows[0]?.stream_newest ?? 0);
  const flags = await selectRows<FlagRow>(ch, 'queries/restore-bot-visitors.sql', {
    oldest_day: new Date(Math.max(0, flagsKeptFrom(state.newest))).toISOString().slice(0, 10),
  });
  for (const f of flags) {
    state.flagged.set(visitorKey(f.site, f.visitor_id), {
      site: f.site,
      visitorId: f.visitor_id,
      reason: f.reason as BotFlag['reason'],
      detail: f.detail,
      name: f.bot_name,
      ts: Number(f.ts),
      offset: Number(f.bus_offset),
      userAgent: f.user_agent,
    });
  }
  return state;
}

interface FlagRow {
  site: string;
  visitor_id: string;
  reason: string;
  detail: string;
  bot_name: string;
  ts: Num;
  bus_offset: Num;
  user_agent: string;
}
