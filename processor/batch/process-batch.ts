/**
 * A batch of bus records to the rows of every table, with no IO: run the
 * records through the pipeline (run-records.ts), sessionize the events, and
 * count every outcome by reason for pipeline_stats.
 */
import type { BusRecord } from '../../bus/bus.ts';
import { chMinute } from '../../clickhouse/time.ts';
import { rollUpBotHits, type BotHit } from '../load/bot-rows.ts';
import { botVisitorRow, deadLetterRow, deletedSessionRow, eventRow, rawOfHit, sessionRow, type BatchRows } from '../load/rows.ts';
import { runRecords, type RecordOutcome, type RunContext } from './run-records.ts';
import { DEFAULT_REORDER_MS, sessionize, type SessionState, type SessionWrites } from './sessionize.ts';

export interface ProcessOptions extends RunContext {
  sessionTimeoutMs: number;
  /** How late (in event time) a hit may arrive and still join its session; DEFAULT_REORDER_MS if absent. */
  sessionReorderMs?: number;
  now: number;
  stream: string;
}

/**
 * The outcomes of a batch, and its events sessionized (each event gets its session id; twins are marked).
 * `outcomes`: the records already run through the pipeline (the batch handler runs them a slice at a time).
 */
export function sessionizeRecords(
  records: BusRecord[],
  state: SessionState,
  opts: ProcessOptions,
  outcomes = runRecords(records, opts),
): { outcomes: RecordOutcome[]; writes: SessionWrites } {
  const events = outcomes.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  const writes = sessionize(state, events, { timeoutMs: opts.sessionTimeoutMs, reorderMs: opts.sessionReorderMs ?? DEFAULT_REORDER_MS });
  for (const { site, host } of writes.ownHosts) opts.learnHost?.(site, host);
  // A hit of a visitor whose behaviour made it a bot is a bot's hit, like one whose user agent says so.
  const judged = outcomes.map(
    (o): RecordOutcome =>
      o.kind === 'event' && o.event.botReason
        ? { record: o.record, kind: 'dropped', reason: 'bot', event: o.event, detail: o.event.botReason }
        : o,
  );
  return { outcomes: judged, writes };
}

export function processBatch(records: BusRecord[], state: SessionState, opts: ProcessOptions, ran?: RecordOutcome[]): BatchRows {
  const { outcomes, writes } = sessionizeRecords(records, state, opts, ran);
  const out: BatchRows = {
    events: [],
    botMinutes: [],
    botSamples: [],
    sessions: [],
    deadLetters: [],
    stats: [],
    botVisitors: writes.flagged.map((f) => botVisitorRow(f, opts.stream)),
    origins: { events: [], botMinutes: [] },
  };
  const botHits: BotHit[] = [];
  const counts = new Map<string, number>();
  const count = (site: string, outcome: string, reason: string) => {
    const key = `${site}\t${outcome}\t${reason}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const o of outcomes) {
    if (o.kind === 'event') {
      out.events.push(eventRow(o.event));
      out.origins.events.push(o.record.position);
      count(o.event.site, 'event', '');
    } else if (o.kind === 'dropped') {
      if (o.reason === 'bot') botHits.push({ event: o.event, reason: o.detail, position: o.record.position });
      count(o.event.site, 'dropped', o.reason);
    } else {
      const site = o.hit?.site ?? '';
      const source = o.hit?.kind ?? 'bus';
      const raw = o.hit ? rawOfHit(o.hit) : o.record.value;
      out.deadLetters.push(deadLetterRow(site, source, o.reason, o.detail, raw, o.record.position, opts.now));
      count(site, 'dead_letter', o.reason);
    }
  }
  const bots = rollUpBotHits(botHits);
  out.botMinutes = bots.minutes;
  out.botSamples = bots.samples;
  out.origins.botMinutes = bots.positions;
  out.sessions = [
    ...writes.deleted.map((d) => deletedSessionRow(d.session, d.id, d.start, opts.stream)),
    ...writes.sessions.map((s) => sessionRow(s, opts.stream)),
  ];
  const minute = chMinute(opts.now);
  for (const [key, n] of counts) {
    const [site, outcome, reason] = key.split('\t') as [string, string, string];
    out.stats.push({ minute, site, outcome, reason, count: n });
  }
  return out;
}
