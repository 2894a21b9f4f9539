/**
 * Run with `node --expose-gc --import tsx` by tests/unit/session-memory.test.ts:
 * sessionizes N visitors' pageviews whose path, referrer and campaign are cut
 * from long raw lines (as parsers cut them), lets the lines go, and prints the
 * memory the held sessions keep, in bytes per session: the heap, and the
 * typed arrays held sessions are packed in (processor/batch/held-slots.ts).
 * `shared` gives every visitor the same few paths, referrers and campaigns,
 * as a site's visitors have (bench/memory.ts); otherwise each has its own.
 */
import { emptyEvent, type Event } from '../../processor/event.ts';
import { emptySessionState, sessionize, type SessionState } from '../../processor/batch/sessionize.ts';

const N = Number(process.argv[2] ?? 2000);
const SHARED = process.argv[3] === 'shared';
const LINE_BYTES = 20_000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function events(): Event[] {
  return Array.from({ length: N }, (_, i) => {
    const n = SHARED ? i % 100 : i;
    // A raw line of its own per hit; the pieces are longer than 12 characters, so V8 may share the line's memory.
    const line = `${'x'.repeat(LINE_BYTES)} /articles/how-to-measure-${n} https://www.referrer-${n}.example/ campaign-number-${n} `;
    const at = (start: string) => line.slice(line.indexOf(start), line.indexOf(' ', line.indexOf(start)));
    const path = at('/articles/');
    return {
      ...emptyEvent('example.com', T0 + i, 'log'),
      // A visitor id as protect-privacy makes them: a UInt64 in decimal.
      visitorId: String(10n ** 19n + BigInt(i) * 7919n),
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

/** In a function of its own, so no frame keeps the events (and their lines) alive once it returns. */
function hold(): SessionState {
  const state = emptySessionState();
  sessionize(state, events(), { timeoutMs: 30 * 60_000, reorderMs: 5 * 60_000 });
  return state;
}

const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
gc();
const before = used();
const state = hold();
gc();
const after = used();
let held = 0;
for (const list of state.byVisitor.values()) held += list.length;
process.stdout.write(JSON.stringify({ sessions: held, bytesPerSession: Math.round((after - before) / held) }));
