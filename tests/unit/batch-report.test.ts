/** The metrics' report of a loaded batch counts lines: a refused session or verdict (row_rejected) is a dead letter, not a record. */
import { describe, expect, it } from 'vitest';
import { batchReport } from '../../cli/processor-thread/batch-report.ts';

describe('batch report', () => {
  it('counts every line once, and a row_rejected dead letter apart from the lines', () => {
    const minute = '2026-12-07 10:00:00';
    const stats = [
      { minute, site: 's', outcome: 'event', reason: '', count: 7 },
      { minute, site: 's', outcome: 'dropped', reason: 'bot', count: 3 },
      { minute, site: 's', outcome: 'dead_letter', reason: 'load_rejected', count: 2 },
      { minute, site: 's', outcome: 'dead_letter', reason: 'row_rejected', count: 1 },
    ];
    expect(batchReport(stats, 0.5)).toEqual({
      records: 12,
      events: 7,
      dropped: { bot: 3 },
      deadLetters: { load_rejected: 2, row_rejected: 1 },
      loadSeconds: 0.5,
    });
  });
});
