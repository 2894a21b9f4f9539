/**
 * Bots by behaviour (processor/bots/behaviour.ts), through sessionize as
 * ingestion runs them: each rule flags a visitor at the hit that meets it,
 * whatever order the hits come in; what people do stays human; a flagged
 * visitor's later hits are bots' too.
 */
import { describe, expect, it } from 'vitest';
import { emptyEvent, type Event } from '../../processor/event.ts';
import { emptySessionState, sessionize } from '../../processor/batch/sessionize.ts';
import { EVIDENCE_CAP } from '../../processor/bots/behaviour.ts';
import { UNPAIRED_CAP } from '../../processor/batch/twins.ts';

const S = 1000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const RULES = { timeoutMs: 30 * 60 * S, reorderMs: 5 * 60 * S };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

type HitSpec = [atS: number, method: string, path: string, status?: number, source?: 'log' | 'beacon', referrerHost?: string];
let offset = 0;
function hit(visitorId: string, [atS, method, path, status = 200, source = 'log', referrerHost = '']: HitSpec): Event {
  const page = method === 'GET' && status >= 200 && status < 300 && !/\.\w+$/.test(path);
  return {
    ...emptyEvent('example.com', T0 + atS * S, source),
    visitorId,
    method,
    path,
    status,
    isPageview: page || source === 'beacon',
    referrerHost,
    channel: 'direct',
    userAgent: FIREFOX,
    browser: 'Firefox',
    busOffset: ++offset,
  };
}

/** The verdict on one visitor's hits, given in the order they arrive: the reason, and which hits were dropped there and then. */
function judge(specs: HitSpec[]) {
  const state = emptySessionState();
  const events = specs.map((s) => hit('42', s));
  const writes = sessionize(state, events, RULES);
  return {
    reason: writes.flagged[0]?.reason,
    flags: writes.flagged.length,
    dropped: events.filter((e) => e.botReason).map((e) => e.path),
    name: writes.flagged[0]?.name,
  };
}

const pageviews = (n: number, everyS: number, path = (i: number) => `/p${i}`): HitSpec[] =>
  Array.from({ length: n }, (_, i) => [i * everyS, 'GET', path(i)] as HitSpec);
const posts = (n: number, everyS: number): HitSpec[] =>
  Array.from({ length: n }, (_, i) => [i * everyS, 'POST', '/c', 303, 'log', 'example.com'] as HitSpec);

describe('behavioural bot rules', () => {
  it.each<[string, HitSpec[], string | undefined]>([
    [
      'robots.txt, after a page',
      [
        [0, 'GET', '/'],
        [5, 'GET', '/robots.txt'],
      ],
      'robots_txt',
    ],
    ['a HEAD request without a referrer', [[0, 'HEAD', '/']], 'head_request'],
    [
      'a scanner path answered 404',
      [
        [0, 'GET', '/'],
        [3, 'GET', '/wp-login.php', 404],
      ],
      'probing',
    ],
    ['a bare POST to nowhere', [[0, 'POST', '/admin/index.asp', 404]], 'probing'],
    [
      'a form posted 1 s after its page',
      [
        [0, 'GET', '/join_form'],
        [1, 'POST', '/join_form', 302],
      ],
      'form_spam',
    ],
    [
      'the same, the post logged first',
      [
        [1, 'POST', '/join_form', 302],
        [0, 'GET', '/join_form'],
      ],
      'form_spam',
    ],
    ['10 form posts answered with redirects in a minute', posts(10, 5), 'form_flood'],
    ['60 different pages in a minute', pageviews(60, 0.9), 'request_rate'],
    ['60 different pages in a minute, out of order', pageviews(60, 0.9).reverse(), 'request_rate'],
    // What people do.
    [
      'a form filled in for 20 s',
      [
        [0, 'GET', '/contact'],
        [20, 'POST', '/contact', 302],
      ],
      undefined,
    ],
    [
      'a login with autofill, 4 s',
      [
        [0, 'GET', '/login'],
        [4, 'POST', '/login', 302],
      ],
      undefined,
    ],
    [
      'a POST-redirect-GET to the form page, in the same second',
      [
        [0, 'GET', '/contact'],
        [20, 'POST', '/contact', 303, 'log', 'example.com'],
        [20, 'GET', '/contact', 200, 'log', 'example.com'],
      ],
      undefined,
    ],
    ['9 form posts in a minute (an admin deleting rows)', posts(9, 5), undefined],
    ['59 different pages in a minute', pageviews(59, 1), undefined],
    ['60 different pages in two minutes', pageviews(60, 2), undefined],
    ['a page polling one endpoint every second', pageviews(90, 1, () => '/api/status'), undefined],
    ["a script's HEAD request (with a referrer)", [[0, 'HEAD', '/ping', 200, 'log', 'example.com']], undefined],
    [
      'a form posted to a static site (405, with a referrer)',
      [
        [0, 'GET', '/contact'],
        [30, 'POST', '/contact', 405, 'log', 'example.com'],
      ],
      undefined,
    ],
    [
      'a WordPress plugin stylesheet gone missing',
      [
        [0, 'GET', '/wp-admin/css/forms.css', 404],
        [0, 'GET', '/wp-content/plugins/x/y.css', 404],
      ],
      undefined,
    ],
    [
      'a broken link (404) and an API POST',
      [
        [0, 'GET', '/old-page', 404],
        [1, 'POST', '/api/comments', 201],
      ],
      undefined,
    ],
    ['a WordPress site answering its own login page', [[0, 'GET', '/wp-login.php', 200]], undefined],
    ['a beacon pageview', [[0, 'GET', '/', 200, 'beacon']], undefined],
  ])('%s', (_name, specs, reason) => {
    const out = judge(specs);
    expect(out.reason).toBe(reason);
    expect(out.flags).toBe(reason ? 1 : 0);
  });

  it('drops the deciding hit and every later hit of the visitor; names the bot by what it claims', () => {
    const state = emptySessionState();
    const first = [
      hit('7', [0, 'GET', '/join_form']),
      hit('7', [1, 'POST', '/join_form', 302]),
      hit('7', [2, 'GET', '/welcome']),
      hit('8', [2, 'GET', '/welcome']),
    ];
    const w1 = sessionize(state, first, RULES);
    expect(w1.flagged).toMatchObject([
      { visitorId: '7', reason: 'form_spam', name: 'Firefox look-alike', detail: 'POST /join_form within 3 s of loading the form' },
    ]);
    expect(first.map((e) => e.botReason)).toEqual(['', 'form_spam', 'form_spam', '']);
    // The page loaded before the verdict is in a session now; the loader moves it (load/move-bot-visitors.ts).
    expect(w1.sessions.map((s) => [s.visitorId, s.hits])).toEqual([
      ['7', 1],
      ['8', 1],
    ]);
    // A later batch: the visitor stays a bot, even past its sessions' timeout, while its day lasts.
    const later = [hit('7', [3600, 'GET', '/'])];
    expect(sessionize(state, later, RULES).flagged).toEqual([]);
    expect(later[0]!.botReason).toBe('form_spam');
  });

  it('keeps bounded evidence for a visitor that floods one page (the work per hit stays small)', () => {
    const state = emptySessionState();
    const flood = Array.from({ length: 3000 }, (_, i) => hit('5', [i / 100, 'GET', '/pricing', 200, 'beacon']));
    const writes = sessionize(state, flood, RULES);
    expect(writes.flagged).toEqual([]); // one path, however often: a polling page, not a crawler
    const [session] = state.byVisitor.get('example.com|5')!;
    expect(session!.hits).toBe(3000);
    expect(session!.recent.length).toBe(EVIDENCE_CAP);
    expect(session!.unpaired.length).toBeLessThanOrEqual(UNPAIRED_CAP);
  });

  it('judges the same whatever batches the hits come in', () => {
    const specs: HitSpec[] = [
      [0, 'GET', '/'],
      [30, 'GET', '/join_form'],
      [32, 'POST', '/join_form', 302],
      [40, 'GET', '/x'],
    ];
    const whole = emptySessionState();
    const a = specs.map((s) => hit('9', s));
    sessionize(whole, a, RULES);
    const split = emptySessionState();
    const b = specs.map((s) => hit('9', s));
    for (const e of b) sessionize(split, [e], RULES);
    expect(b.map((e) => e.botReason)).toEqual(a.map((e) => e.botReason));
    expect([...split.flagged.keys()]).toEqual([...whole.flagged.keys()]);
  });
});
