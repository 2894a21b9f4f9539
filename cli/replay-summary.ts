/**
 * The line `scalehouse replay` prints for each file: what its lines were,
 * and whether they were new — a file imported before adds nothing (its
 * batches are dropped as duplicates), which the figures alone would hide.
 */
import type { ReplaySummary } from '../processor/replay/replay-file.ts';

export function replaySummaryLine(s: ReplaySummary): string {
  const rate = s.seconds > 0 ? Math.round(s.lines / s.seconds) : s.lines;
  const outcomes = `${s.events} events, ${s.bots} bots, ${s.optedOut} opted out, ${s.deadLetters} dead letters`;
  const timing = `in ${s.seconds.toFixed(1)}s (${rate} lines/s)`;
  if (s.lines > 0 && s.newLines === 0) return `${s.file}: already imported, nothing new added (${s.lines} lines: ${outcomes}) ${timing}`;
  const lines =
    s.newLines === s.lines
      ? `${s.lines} lines`
      : `${s.lines} lines, ${s.newLines} of them new (the other ${s.lines - s.newLines} were imported before)`;
  return `${s.file}: ${lines} → ${outcomes} ${timing}`;
}
