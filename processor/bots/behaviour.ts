/**
 * Bots by what they do, not what they say: a visitor (one user agent from one
 * address on one UTC day, docs/metrics.md) whose hits show one of these is a
 * bot — all of its hits that day, earlier ones too (batch/sessionize.ts
 * moves them, load/ retracts them from the rollups).
 *
 * Every rule is local: one hit, or hits at most a minute apart. So the
 * verdict is the same whether a visitor's day is read at once, in batches, or
 * out of order within the reorder window — and a test can recompute it from
 * the sorted log (tests/helpers/read-log.ts). A hit later than the reorder
 * window is judged with the evidence still held, like a late hit's session.
 * Rules that need a whole day's history (a visitor's share of pages without
 * assets) would depend on where the stream was cut, and are left out
 * (docs/metrics.md). Each rule is written for what people's browsers do too:
 * script requests carry a referrer, polling repeats one path, a
 * POST-redirect-GET lands in the same second.
 *
 * Pure. The recent hits a visitor's held sessions keep are the evidence.
 */

/** Why a visitor was taken for a bot by behaviour: a closed set, stored with the verdict. */
export type BehaviourReason = 'robots_txt' | 'probing' | 'head_request' | 'form_spam' | 'form_flood' | 'request_rate';

/** What the rules read of a hit. */
export interface BehaviourHit {
  ts: number;
  source: 'log' | 'beacon';
  method: string;
  path: string;
  status: number;
  isPageview: boolean;
  /** The referrer's host ('' for none): browsers send one with a form post and with a script's request. */
  referrerHost: string;
}

/** A hit kept as evidence while it can still meet a rule with a hit to come. */
export interface RecentHit {
  ts: number;
  kind: 'page' | 'post' | 'redirected_post';
  path: string;
}

/**
 * Paths scanners try on every site (WordPress logins and configuration, PHP
 * admin tools, leaked configuration and version-control files, router and
 * appliance exploits). Only a 4xx answer counts, and never for a page
 * resource: a WordPress site answers its own login page, and a missing
 * plugin stylesheet under /wp-admin/ is the site's fault, not a probe.
 */
const PROBE =
  /^\/(?:wp-(?:login\.php|admin|config)|xmlrpc\.php|\.env|\.git\/|\.svn\/|\.aws\/|\.ds_store|phpmyadmin|pma\/|myadmin|cgi-bin\/|vendor\/phpunit|boaform|hnap1|actuator|solr\/|owa\/|server-status|etc\/passwd|admin\.php|config\.php|setup\.php|shell\.php|eval-stdin\.php|fckeditor\/)/i;
const RESOURCE = /\.(?:css|js|mjs|map|png|jpe?g|gif|svg|webp|ico|woff2?|ttf)$/i;

/** A request for a path scanners try (the list above), that is not a page resource; the rule counts it only when answered 4xx. */
export const isProbePath = (path: string): boolean => PROBE.test(path) && !RESOURCE.test(path);

/** Not Found, Method Not Allowed, and 418, which some servers answer scanners with. */
const POST_NOWHERE = new Set([404, 405, 418]);

/**
 * A form posted this soon after the page holding it was served was not
 * filled in by a person: "3 s or less, but later" on whole-second log times
 * (a post in the same second as its page cannot be told from a
 * POST-redirect-GET, and is let be); a password manager's autofill takes a
 * person longer than that.
 */
export const FORM_FILL_MS = 3_000;
/** Sliding window of the rate rules. */
export const RATE_WINDOW_MS = 60_000;
/**
 * Different pages in one minute no person reads: one a second. Distinct
 * paths, because a page that polls an endpoint, or a search box that asks
 * as you type, repeats one path.
 */
export const MAX_PAGES_PER_MINUTE = 60;
/** Form posts answered with a redirect (POST-redirect-GET) in one minute: a flood, not even an admin deleting rows. */
export const MAX_FORM_POSTS_PER_MINUTE = 10;
/** How long evidence is kept beyond the reorder window: the widest rule. */
export const EVIDENCE_MS = RATE_WINDOW_MS;

/** The rule a hit meets on its own, if any. */
function singleHitRule(h: BehaviourHit): { reason: BehaviourReason; detail: string } | undefined {
  if (h.path === '/robots.txt') return { reason: 'robots_txt', detail: 'fetched /robots.txt: only robots read it' };
  if (h.source !== 'log') return undefined;
  // A page's own script may send HEAD (with a referrer); link checkers and monitors send it with none.
  if (h.method === 'HEAD' && !h.referrerHost)
    return { reason: 'head_request', detail: `HEAD ${h.path} without a referrer: link checkers and monitors send these, browsers do not` };
  if (h.status >= 400 && h.status < 500 && isProbePath(h.path))
    return { reason: 'probing', detail: `probed ${h.path} (answered ${h.status})` };
  // A person's form posts from the site's page (with a referrer) to where it sends it; a bare POST the server does not know is a probe.
  if (h.method === 'POST' && POST_NOWHERE.has(h.status) && !h.referrerHost)
    return { reason: 'probing', detail: `POST ${h.path} without a referrer, answered ${h.status}: nothing there takes a form` };
  return undefined;
}

/** What a hit leaves as evidence for the rules that need more than one hit. */
export function recentOf(h: BehaviourHit): RecentHit | undefined {
  if (h.isPageview) return { ts: h.ts, kind: 'page', path: h.path };
  if (h.source === 'log' && h.method === 'POST')
    return { ts: h.ts, kind: h.status >= 301 && h.status <= 303 ? 'redirected_post' : 'post', path: h.path };
  return undefined;
}

/** The most hits of `kind` (`distinct`: the most different paths) within any window of RATE_WINDOW_MS that holds `hit`. */
function densest(hit: RecentHit, recent: readonly RecentHit[], distinct: boolean, threshold: number): number {
  const near = [hit, ...recent].filter((r) => r.kind === hit.kind && Math.abs(r.ts - hit.ts) < RATE_WINDOW_MS);
  // No window can hold more than all of these: most hits (a person, a page polling one path) stop here.
  const most = distinct ? new Set(near.map((r) => r.path)).size : near.length;
  if (most < threshold) return most;
  near.sort((a, b) => a.ts - b.ts);
  // One pass over windows [near[i].ts, near[i].ts + window) that hold `hit`, counting paths in and out.
  const inWindow = new Map<string, number>();
  let best = 0;
  for (let i = 0, j = 0; i < near.length && near[i]!.ts <= hit.ts; i++) {
    while (j < near.length && near[j]!.ts < near[i]!.ts + RATE_WINDOW_MS) {
      inWindow.set(near[j]!.path, (inWindow.get(near[j]!.path) ?? 0) + 1);
      j++;
    }
    if (near[j - 1]!.ts >= hit.ts) best = Math.max(best, distinct ? inWindow.size : j - i);
    const leaving = near[i]!.path;
    const left = inWindow.get(leaving)! - 1;
    if (left === 0) inWindow.delete(leaving);
    else inWindow.set(leaving, left);
  }
  return best;
}

/**
 * The behavioural verdict on a visitor at a new hit, given the evidence its
 * held sessions keep (hits in any order; read only for a hit that leaves
 * evidence itself, so most hits cost nothing): the rule met, or undefined.
 */
export function behaviourVerdict(
  h: BehaviourHit,
  evidence: () => readonly RecentHit[],
): { reason: BehaviourReason; detail: string } | undefined {
  const single = singleHitRule(h);
  if (single) return single;
  const r = recentOf(h);
  if (!r) return undefined;
  const recent = evidence();
  // The page and the form posted from it, whichever was logged first.
  const filled = (page: RecentHit, post: RecentHit) => page.path === post.path && post.ts > page.ts && post.ts - page.ts <= FORM_FILL_MS;
  const quick =
    r.kind === 'page' ? recent.some((o) => o.kind !== 'page' && filled(r, o)) : recent.some((o) => o.kind === 'page' && filled(o, r));
  if (quick) return { reason: 'form_spam', detail: `POST ${r.path} within ${FORM_FILL_MS / 1000} s of loading the form` };
  if (r.kind === 'redirected_post') {
    const n = densest(r, recent, false, MAX_FORM_POSTS_PER_MINUTE);
    if (n >= MAX_FORM_POSTS_PER_MINUTE) return { reason: 'form_flood', detail: `${n} form submissions within a minute` };
  }
  if (r.kind === 'page') {
    const n = densest(r, recent, true, MAX_PAGES_PER_MINUTE);
    if (n >= MAX_PAGES_PER_MINUTE) return { reason: 'request_rate', detail: `${n} different pages within a minute` };
  }
  return undefined;
}

/**
 * Most evidence a session keeps: a visitor sending more than this within the
 * window (a flood) is judged on its last hits, so the work per hit stays
 * small whatever it sends.
 */
export const EVIDENCE_CAP = 256;

/** The last `EVIDENCE_CAP` of `recent` to arrive (a flood's order does not matter; a person never has this many). */
export const capEvidence = (recent: RecentHit[]): RecentHit[] => (recent.length <= EVIDENCE_CAP ? recent : recent.slice(-EVIDENCE_CAP));

/** The evidence still worth keeping once the stream's newest hit is at `newest`. */
export const keptEvidence = (recent: readonly RecentHit[], newest: number, reorderMs: number): RecentHit[] =>
  capEvidence(recent.filter((r) => r.ts >= newest - reorderMs - EVIDENCE_MS));
