/**
 * A staged batch (processor/stage/stage-batch.ts) and what sessions made of
 * its people's hits, to what the loader takes from JavaScript: sessions,
 * verdicts, dead letters and the outcome counts — the hits themselves stay in
 * the engine (processor/load/load-staged.ts), so of them only what sessions
 * changed is handed on, hit by hit. The counts are the engine's, with the
 * parse's dead letters added and the hits of visitors found to be bots by
 * behaviour moved from events to bots, as process-batch.ts counts them. Pure.
 */
import { chMinute } from '../../clickhouse/time.ts';
import { assignedRow } from '../load/load-staged.ts';
import { botVisitorRow, deadLetterRow, deletedSessionRow, rawOfHit, sessionRow, type BatchRows } from '../load/rows.ts';
import type { StagedBatch } from '../stage/stage-batch.ts';
import type { SessionWrites } from './sessionize.ts';

export function stagedRows(
  staged: StagedBatch,
  writes: SessionWrites,
  opts: { now: number; stream: string },
): { rows: BatchRows; assigned: ReturnType<typeof assignedRow>[] } {
  const counts = new Map<string, number>();
  const count = (site: string, outcome: string, reason: string, n = 1) => {
    const key = `${site}\t${outcome}\t${reason}`;
    counts.set(key, (counts.get(key) ?? 0) + n);
  };
  for (const c of staged.counts) count(c.site, c.outcome, c.reason, c.n);
  const deadLetters = staged.letters.map((l) => {
    const site = l.hit?.site ?? '';
    if (!l.counted) count(site, 'dead_letter', l.reason);
    const raw = l.hit ? rawOfHit(l.hit) : l.record.value;
    return deadLetterRow(site, l.hit?.kind ?? 'bus', l.reason, l.detail, raw, l.record.position, opts.now);
  });
  const assigned = staged.humans.map((ev, i) => {
    // A hit of a visitor whose behaviour made it a bot is a bot's hit, like one whose user agent says so.
    if (ev.botReason) {
      count(ev.site, 'event', '', -1);
      count(ev.site, 'dropped', 'bot');
    }
    return assignedRow(staged.positions[i]!, ev);
  });
  const minute = chMinute(opts.now);
  const rows: BatchRows = {
    events: [],
    botMinutes: [],
    botSamples: [],
    sessions: [
      ...writes.deleted.map((d) => deletedSessionRow(d.session, d.id, d.start, opts.stream)),
      ...writes.sessions.map((s) => sessionRow(s, opts.stream)),
    ],
    deadLetters,
    stats: [...counts]
      .filter(([, n]) => n !== 0)
      .map(([key, n]) => {
        const [site, outcome, reason] = key.split('\t') as [string, string, string];
        return { minute, site, outcome, reason, count: n };
      }),
    botVisitors: writes.flagged.map((f) => botVisitorRow(f, opts.stream)),
    origins: { events: [], botMinutes: [] },
  };
  return { rows, assigned };
}
