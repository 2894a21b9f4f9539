/**
 * A batch's bot hits as the rows of bots_minute and bot_hit_samples
 * (clickhouse/migrations/0016_bot_rollup.sql): counted, not one row each.
 * Pure.
 *  - One rollup row per site, minute, bot name, reason, path, status and
 *    source, with its hits and bytes, and the bus positions of the lines it
 *    counts: a row the engine refuses dead-letters every one of them
 *    (refusals.ts), so each line is still accounted for exactly once.
 *  - One sample per site, day, bot name, reason and user agent: the batch's
 *    latest hit of it (the table keeps the latest of each user-agent slot).
 * Rows come in the order their keys first appear in the batch, so a batch
 * done again makes the same inserts (clickhouse/insert-isolating.ts splits
 * them the same way, under the same tokens).
 */
import { chMinute, chTime } from '../../clickhouse/time.ts';
import { cutText } from '../../common/clean-text.ts';
import type { Event } from '../event.ts';

/** A hit dropped as a bot's: its event, the reason (processor/steps/detect-bot.ts, or the behaviour), its bus position. */
export interface BotHit {
  event: Event;
  reason: string;
  position: string;
}

export interface BotMinuteRow {
  site: string;
  minute: string;
  source: string;
  bot_name: string;
  reason: string;
  path: string;
  status: number;
  hits: number;
  bytes: number;
}

export interface BotSampleRow {
  site: string;
  ts: string;
  source: string;
  bot_name: string;
  reason: string;
  path: string;
  status: number;
  bytes: number;
  user_agent: string;
}

export interface BotRows {
  minutes: BotMinuteRow[];
  /** The positions of the lines each row of `minutes` counts, row for row. */
  positions: string[][];
  samples: BotSampleRow[];
}

export function rollUpBotHits(hits: BotHit[]): BotRows {
  const out: BotRows = { minutes: [], positions: [], samples: [] };
  const rowAt = new Map<string, number>();
  const sampleAt = new Map<string, { row: BotSampleRow; ts: number }>();
  for (const { event: ev, reason, position } of hits) {
    const minute = chMinute(ev.ts);
    const key = `${ev.site}\t${minute}\t${ev.source}\t${ev.botName}\t${reason}\t${ev.path}\t${ev.status}`;
    const at = rowAt.get(key);
    if (at === undefined) {
      rowAt.set(key, out.minutes.length);
      out.minutes.push({
        site: ev.site,
        minute,
        source: ev.source,
        bot_name: ev.botName,
        reason,
        path: ev.path,
        status: ev.status,
        hits: 1,
        bytes: ev.bytes,
      });
      out.positions.push([position]);
    } else {
      out.minutes[at]!.hits += 1;
      out.minutes[at]!.bytes += ev.bytes;
      out.positions[at]!.push(position);
    }
    const userAgent = cutText(ev.userAgent, 1000);
    const sampleKey = `${ev.site}\t${minute.slice(0, 10)}\t${ev.botName}\t${reason}\t${userAgent}`;
    const held = sampleAt.get(sampleKey);
    // The latest hit; of hits at the same time, the later in the batch (as ReplacingMergeTree keeps the last inserted).
    if (held && held.ts > ev.ts) continue;
    const row = {
      site: ev.site,
      ts: chTime(ev.ts),
      source: ev.source,
      bot_name: ev.botName,
      reason,
      path: ev.path,
      status: ev.status,
      bytes: ev.bytes,
      user_agent: userAgent,
    };
    if (held) {
      Object.assign(held.row, row);
      held.ts = ev.ts;
    } else {
      sampleAt.set(sampleKey, { row, ts: ev.ts });
      out.samples.push(row);
    }
  }
  return out;
}
