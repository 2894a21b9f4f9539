/**
 * One pageview, seen twice: nginx logs the request for a page, and the beacon
 * on that page reports it. Such a pair — the same visitor and page, from the
 * two sources, at most TWIN_WINDOW_MS apart — counts once: whichever copy
 * arrives second becomes a twin (a hit, not a pageview); a beacon twin takes
 * the path the server logged. Each copy pairs at most once. What pairs never is what only one source saw: logs alone see
 * visitors whose browsers block or do not run the beacon (docs/metrics.md).
 *
 * Sessions hold their pageviews that are not paired yet; a copy later than the
 * reorder window pairs with nothing, so pairing does not depend on how the
 * stream was cut into batches.
 */
import type { Event } from '../event.ts';

/** nginx logs when the response is sent, the beacon runs once the page has loaded: a slow page takes a while. */
export const TWIN_WINDOW_MS = 30_000;

export interface UnpairedPage {
  path: string;
  ts: number;
  source: Event['source'];
}

/** Hash routes (/#/settings) are pages of the beacon only; the server saw their document (/). */
const documentPath = (path: string): string => path.split('#', 1)[0]!;

export const unpairedOf = (ev: Event): UnpairedPage[] =>
  ev.isPageview ? [{ path: documentPath(ev.path), ts: ev.ts, source: ev.source }] : [];

/**
 * If `ev` is the second copy of a pageview held in `pages` lists (one per
 * held session of its visitor), makes it a twin and removes the first copy's
 * entry. Returns whether it paired.
 */
export function pairTwin(ev: Event, pages: UnpairedPage[][]): boolean {
  if (!ev.isPageview) return false;
  const path = documentPath(ev.path);
  let best: { list: UnpairedPage[]; at: number; gap: number } | undefined;
  for (const list of pages) {
    list.forEach((p, at) => {
      const gap = Math.abs(p.ts - ev.ts);
      if (p.source !== ev.source && p.path === path && gap <= TWIN_WINDOW_MS && (!best || gap < best.gap)) best = { list, at, gap };
    });
  }
  if (!best) return false;
  const [first] = best.list.splice(best.at, 1);
  // A beacon copy is filed under the path the server logged, so the pair is one page (a hash route's document).
  if (ev.source === 'beacon') ev.path = first!.path;
  ev.isPageview = false;
  ev.twin = true;
  return true;
}

/**
 * Most unpaired pageviews a session keeps: a flood of pageviews from one
 * visitor pairs only with its last, so the work per hit stays small.
 */
export const UNPAIRED_CAP = 256;

/** The last `UNPAIRED_CAP` of `pages` to arrive. */
export const capUnpaired = (pages: UnpairedPage[]): UnpairedPage[] => (pages.length <= UNPAIRED_CAP ? pages : pages.slice(-UNPAIRED_CAP));

/** The unpaired pageviews a copy within the reorder window could still pair with. */
export const pairable = (pages: UnpairedPage[], newest: number, reorderMs: number): UnpairedPage[] =>
  pages.filter((p) => p.ts >= newest - reorderMs - TWIN_WINDOW_MS);
