/**
 * What the realtime view streams: the visitors of the last five minutes and
 * the latest hits of a site, read every few seconds. One reader per site,
 * however many viewers it has: a second tab on the same site costs no query.
 * The reader starts with the first viewer and stops with the last — a read
 * in flight is aborted then, so no query outlives its viewers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { runNamedQuery } from '../../clickhouse/named-query.ts';
import { chTime } from '../../clickhouse/time.ts';
import { errorMessage } from '../../common/errors.ts';

export interface LiveHit {
  t: number;
  path: string;
  event: string;
  channel: string;
  referrer: string;
  country: string;
  device: string;
  browser: string;
}
export interface LiveSnapshot {
  now: number;
  visitors: number;
  hits: LiveHit[];
}
export type LiveMessage = LiveSnapshot | { now: number; error: string };
export type ReadLive = (site: string, now: number, signal: AbortSignal) => Promise<Omit<LiveSnapshot, 'now'>>;

/** How far back the latest hits go, and how many are shown. */
export const LIVE_WINDOW_MS = 60 * 60_000;
export const LIVE_HITS = 30;

/** Reads a site's visitors of the last five minutes (as the overview's "current visitors") and its latest hits. */
export const readLive =
  (ch: ClickHouse): ReadLive =>
  async (site, now, signal) => {
    const bound = { site, now: chTime(now), since: chTime(now - LIVE_WINDOW_MS), limit: LIVE_HITS };
    const hits = await runNamedQuery<LiveHit>(ch, 'latest-hits.events', bound, signal);
    const [recent] = await runNamedQuery<{ visitors: number }>(ch, 'current-visitors.events', bound, signal);
    return { visitors: recent?.visitors ?? 0, hits };
  };

interface Feed {
  viewers: Set<(m: LiveMessage) => void>;
  stop: AbortController;
  last?: LiveMessage;
}

export class LiveFeeds {
  readonly #feeds = new Map<string, Feed>();
  #reads = 0;

  constructor(
    private readonly read: ReadLive,
    private readonly intervalMs = 2000,
  ) {}

  /** Calls `viewer` with each snapshot of `site` (the latest one at once, if any) until the returned function is called. */
  subscribe(site: string, viewer: (m: LiveMessage) => void): () => void {
    let feed = this.#feeds.get(site);
    if (!feed) {
      feed = { viewers: new Set(), stop: new AbortController() };
      this.#feeds.set(site, feed);
      void this.#poll(site, feed);
    } else if (feed.last) viewer(feed.last);
    feed.viewers.add(viewer);
    const f = feed;
    return () => {
      f.viewers.delete(viewer);
      if (f.viewers.size === 0 && this.#feeds.get(site) === f) {
        this.#feeds.delete(site);
        f.stop.abort();
      }
    };
  }

  /** Sites being read now, and reads started so far (what tests watch to see a feed stop). */
  get stats() {
    return { sites: this.#feeds.size, reads: this.#reads };
  }

  async #poll(site: string, feed: Feed): Promise<void> {
    const signal = feed.stop.signal;
    while (!signal.aborted) {
      const now = Date.now();
      this.#reads++;
      try {
        feed.last = { now, ...(await this.read(site, now, signal)) };
      } catch (err) {
        if (signal.aborted) return;
        feed.last = { now, error: errorMessage(err).slice(0, 200) };
      }
      for (const viewer of feed.viewers) viewer(feed.last);
      await sleep(this.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }
}
