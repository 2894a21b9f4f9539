/**
 * Run with `node --expose-gc --import tsx` by tests/unit/session-memory.test.ts:
 * sessionizes N visitors' pageviews whose path, referrer and campaign are cut
 * from long raw lines (as parsers cut them), lets the lines go, and prints the
 * heap the held sessions keep, in bytes per session.
 */
import { emptyEvent, type Event } from '../../processor/event.ts';
import { emptySessionState, sessionize } from '../../processor/batch/sessionize.ts';

const N = Number(process.argv[2] ?? 2000);
const LINE_BYTES = 20_000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function events(): Event[] {
  return Array.from({ length: N }, (_, i) => {
    // A raw line of its own per hit; the pieces are longer than 12 characters, so V8 may share the line's memory.
    const line = `${'x'.repeat(LINE_BYTES)} /articles/how-to-measure-${i} https://www.referrer-${i}.example/ campaign-number-${i} `;
    const at = (start: string) => line.slice(line.indexOf(start), line.indexOf(' ', line.indexOf(start)));
    const path = at('/articles/');
    return {
      ...emptyEvent('example.com', T0 + i, 'log'),
      visitorId: String(1e9 + i),
      method: 'GET',
      path,
      status: 200,
      isPageview: true,
      referrerHost: at('https://').slice(8),
      channel: 'referral',
      utm: { source: at('campaign-'), medium: at('campaign-'), campaign: at('campaign-'), content: '', term: '' },
      busOffset: i + 1,
    };
  });
}

gc();
const before = process.memoryUsage().heapUsed;
const state = emptySessionState();
sessionize(state, events(), { timeoutMs: 30 * 60_000, reorderMs: 5 * 60_000 });
gc();
const after = process.memoryUsage().heapUsed;
let held = 0;
for (const list of state.byVisitor.values()) held += list.length;
process.stdout.write(JSON.stringify({ sessions: held, bytesPerSession: Math.round((after - before) / held) }));
