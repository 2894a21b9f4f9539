/**
 * Bots by what they do, not what they say: a visitor (one user agent from one
 * address on one UTC day, docs/metrics.md) whose hits show one of these is a
 * bot — all of its hits that day, earlier ones too (batch/sessionize.ts
 * moves them, load/ retracts them from the rollups).
 *
 * Every rule is local: one hit, or hits at most a minute apart. So the
 * verdict is the same whether a visitor's day is read at once, in batches, or
 * out of order within the reorder window — and a test can recompute it from
 * the sorted log (tests/helpers/read-log.ts). Rules that need a whole day's
 * history (a visitor's share of pages without assets) would depend on where
 * the stream was cut, and are left out (docs/metrics.md).
 *
 * Pure. The recent hits a visitor's held sessions keep are the evidence.
 */

/** Why a visitor was taken for a bot by behaviour: a closed set, stored with the verdict. */
export type BehaviourReason = 'robots_txt' | 'probing' | 'head_request' | 'form_spam' | 'form_flood' | 'request_rate';

/** What the rules read of a hit. */
export interface BehaviourHit { ts: number; source: 'log' | 'beacon'; method: string; path: string; status: number; isPageview: boolean }

/** A hit kept as evidence while it can still meet a rule with a hit to come. */
export interface RecentHit { ts: number; kind: 'page' | 'post' | 'redirected_post'; path: string }

/**
 * Paths scanners try on every site (WordPress, PHP admin tools, leaked
 * configuration and version-control files, router and appliance exploits).
 * Only a 4xx answer counts: a site that runs WordPress answers its own admin.
 */
const PROBE = /^\/(?:wp-(?:login\.php|admin|includes|content\/plugins|config)|xmlrpc\.php|\.env|\.git\/|\.svn\/|\.aws\/|\.ds_store|phpmyadmin|pma\/|myadmin|cgi-bin\/|vendor\/phpunit|boaform|hnap1|actuator|solr\/|owa\/|server-status|etc\/passwd|admin\.php|config\.php|setup\.php|shell\.php|eval-stdin\.php|fckeditor\/)/i;

/** Not Found, Method Not Allowed, and 418, which some servers answer scanners with. */
const POST_NOWHERE = new Set([404, 405, 418]);

/** A request for a path scanners try (the list above); the rule counts it only when answered 4xx. */
export const isProbePath = (path: string): boolean => PROBE.test(path);

/**
 * A form submitted this soon after the page holding it was served was not
 * filled in by a person (log times are whole seconds, so this is "3 s or
 * less"); a password manager's autofill takes a person longer than that.
 */
export const FORM_FILL_MS = 3_000;
/** Sliding window of the rate rules. */
export const RATE_WINDOW_MS = 60_000;
/** Pageviews in one minute no person reads: one every two seconds, for a minute. */
export const MAX_PAGEVIEWS_PER_MINUTE = 30;
/** Form submissions answered with a redirect (POST-redirect-GET) in one minute: a flood, not a person. */
export const MAX_FORM_POSTS_PER_MINUTE = 5;
/** How long evidence is kept beyond the reorder window: the widest rule. */
export const EVIDENCE_MS = RATE_WINDOW_MS;

/** The rule a hit meets on its own, if any. */
function singleHitRule(h: BehaviourHit): { reason: BehaviourReason; detail: string } | undefined {
  if (h.path === '/robots.txt') return { reason: 'robots_txt', detail: 'fetched /robots.txt: only robots read it' };
  if (h.source !== 'log') return undefined;
  if (h.method === 'HEAD') return { reason: 'head_request', detail: `HEAD ${h.path}: browsers do not send HEAD for pages; link checkers and monitors do` };
  if (h.status >= 400 && h.status < 500 && isProbePath(h.path)) return { reason: 'probing', detail: `probed ${h.path} (answered ${h.status})` };
  // A person's form posts to where the site's own page sends it; a POST the server does not know is a probe.
  if (h.method === 'POST' && POST_NOWHERE.has(h.status)) return { reason: 'probing', detail: `POST ${h.path} answered ${h.status}: nothing there takes a form` };
  return undefined;
}

/** What a hit leaves as evidence for the rules that need more than one hit. */
export function recentOf(h: BehaviourHit): RecentHit | undefined {
  if (h.isPageview) return { ts: h.ts, kind: 'page', path: h.path };
  if (h.source === 'log' && h.method === 'POST') return { ts: h.ts, kind: h.status >= 301 && h.status <= 303 ? 'redirected_post' : 'post', path: h.path };
  return undefined;
}

/** The most hits of `kinds` (with `hit` among them) within any window of RATE_WINDOW_MS that holds `hit`. */
function densest(hit: RecentHit, recent: readonly RecentHit[], kinds: readonly RecentHit['kind'][]): number {
  const times = [hit, ...recent].filter((r) => kinds.includes(r.kind) && Math.abs(r.ts - hit.ts) < RATE_WINDOW_MS).map((r) => r.ts).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= RATE_WINDOW_MS) i++;
    if (times[i]! <= hit.ts && hit.ts <= times[j]!) best = Math.max(best, j - i + 1);
  }
  return best;
}

/**
 * The behavioural verdict on a visitor at a new hit, given the evidence its
 * held sessions keep (hits in any order): the rule met, or undefined.
 */
export function behaviourVerdict(h: BehaviourHit, recent: readonly RecentHit[]): { reason: BehaviourReason; detail: string } | undefined {
  const single = singleHitRule(h);
  if (single) return single;
  const r = recentOf(h);
  if (!r) return undefined;
  const isPost = r.kind !== 'page';
  // The page and the form posted from it, whichever arrived first.
  const quick = recent.find((o) => o.path === r.path && (isPost ? o.kind === 'page' && r.ts - o.ts >= 0 && r.ts - o.ts <= FORM_FILL_MS
    : o.kind !== 'page' && o.ts - r.ts >= 0 && o.ts - r.ts <= FORM_FILL_MS));
  if (quick) return { reason: 'form_spam', detail: `POST ${r.path} within ${FORM_FILL_MS / 1000} s of loading the form` };
  if (r.kind === 'redirected_post') {
    const n = densest(r, recent, ['redirected_post']);
    if (n >= MAX_FORM_POSTS_PER_MINUTE) return { reason: 'form_flood', detail: `${n} form submissions within a minute` };
  }
  if (r.kind === 'page') {
    const n = densest(r, recent, ['page']);
    if (n >= MAX_PAGEVIEWS_PER_MINUTE) return { reason: 'request_rate', detail: `${n} pageviews within a minute` };
  }
  return undefined;
}

/** The evidence still worth keeping once the stream's newest hit is at `newest`. */
export const keptEvidence = (recent: readonly RecentHit[], newest: number, reorderMs: number): RecentHit[] =>
  recent.filter((r) => r.ts >= newest - reorderMs - EVIDENCE_MS);
