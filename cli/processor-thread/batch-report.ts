/** A loaded batch's outcome counts (pipeline_stats rows) as the metrics' batch report. */
import { countsLines } from '../../processor/load/refusals.ts';
import type { StatRow } from '../../processor/load/rows.ts';
import type { BatchReport } from '../../server/metrics.ts';

export function batchReport(stats: StatRow[], loadSeconds: number): BatchReport {
  const report: BatchReport = { records: 0, events: 0, dropped: {}, deadLetters: {}, loadSeconds };
  for (const s of stats) {
    if (countsLines(s)) report.records += s.count;
    if (s.outcome === 'dropped') report.dropped[s.reason] = (report.dropped[s.reason] ?? 0) + s.count;
    else if (s.outcome === 'dead_letter') report.deadLetters[s.reason] = (report.deadLetters[s.reason] ?? 0) + s.count;
    else report.events += s.count;
  }
  return report;
}
