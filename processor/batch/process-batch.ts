/**
 * A batch of bus records to the rows of every table, with no IO: decode each
 * record, run the per-hit pipeline, sessionize the survivors, and count every
 * outcome by reason for pipeline_stats.
 */
import { decodeHit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import { chMinute } from '../../clickhouse/time.ts';
import type { Event } from '../event.ts';
import { runPipeline, type PipelineContext } from '../pipeline.ts';
import { botHitRow, deadLetterRow, deletedSessionRow, eventRow, sessionRow, type BatchRows } from '../load/rows.ts';
import { DEFAULT_REORDER_MS, sessionize, type SessionState } from './sessionize.ts';

export interface ProcessOptions extends PipelineContext {
  sessionTimeoutMs: number;
  /** How late (in event time) a hit may arrive and still join its session; DEFAULT_REORDER_MS if absent. */
  sessionReorderMs?: number;
  /** Told the host of every event that has one, in bus order, so later hits see it as the site's own. */
  learnHost?: (site: string, host: string) => void;
  now: number; stream: string;
}

export function processBatch(records: BusRecord[], state: SessionState, opts: ProcessOptions): BatchRows {
  const events: Event[] = [];
  const out: BatchRows = { events: [], botHits: [], sessions: [], deadLetters: [], stats: [] };
  const counts = new Map<string, number>();
  const count = (site: string, outcome: string, reason: string) => {
    const key = `${site}\t${outcome}\t${reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const rec of records) {
    const hit = rec.damaged ? { invalid: rec.damaged } : decodeHit(rec.value);
    if ('invalid' in hit) {
      const reason = rec.damaged ? 'damaged_record' : 'invalid_hit';
      out.deadLetters.push(deadLetterRow('', 'bus', reason, hit.invalid, rec.value, rec.position, opts.now));
      count('', 'dead_letter', reason);
      continue;
    }
    const result = runPipeline(hit, opts);
    if (result.ok) {
      result.event.busOffset = rec.offset;
      events.push(result.event);
      if (result.event.host) opts.learnHost?.(result.event.site, result.event.host);
      count(hit.site, 'event', '');
    } else if ('drop' in result) {
      if (result.drop === 'bot') out.botHits.push(botHitRow(result.event, result.detail));
      count(hit.site, 'dropped', result.drop);
    } else {
      const raw = hit.kind === 'log' ? hit.line : JSON.stringify(hit.payload);
      out.deadLetters.push(deadLetterRow(hit.site, hit.kind, result.deadLetter, result.detail, raw, rec.position, opts.now));
      count(hit.site, 'dead_letter', result.deadLetter);
    }
  }
  const { sessions, deleted, ownHosts } = sessionize(state, events, { timeoutMs: opts.sessionTimeoutMs, reorderMs: opts.sessionReorderMs ?? DEFAULT_REORDER_MS });
  for (const { site, host } of ownHosts) opts.learnHost?.(site, host);
  out.events = events.map(eventRow);
  out.sessions = [
    ...deleted.map((d) => deletedSessionRow(d.session, d.id, d.start, opts.stream)),
    ...sessions.map((s) => sessionRow(s, opts.stream)),
  ];
  const minute = chMinute(opts.now);
  for (const [key, n] of counts) {
    const [site, outcome, reason] = key.split('\t') as [string, string, string];
    out.stats.push({ minute, site, outcome, reason, count: n });
  }
  return out;
}
