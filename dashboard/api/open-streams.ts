/**
 * The realtime streams open now, counted per credential (a login session or
 * an API token) and per site, and ended with their credential. An open
 * stream holds a socket and keeps its site's reader polling, so one login
 * could otherwise open any number of them: 400 streams for 400 site names
 * took an overview query from 28 ms to 4.4 s. Past either cap a new stream
 * is refused (429, `too_many_streams`); a stream whose credential is logged
 * out, revoked or expires is told why and ended (its ticket's signal aborts
 * with the reason).
 */
import { httpError } from '../../common/http-error.ts';
import type { Credential } from '../auth/credential.ts';

export interface StreamLimits {
  perCredential: number;
  perSite: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perCredential: 10, perSite: 100 };

/** Why a stream was ended by the server: the `reason` of its last event. */
export type EndReason = 'logged_out' | 'expired';

export interface StreamTicket {
  /** Aborted, with an EndReason, when the stream's credential ends. */
  signal: AbortSignal;
  /** Gives the stream's place back; once is enough, more do nothing. */
  release(): void;
}

/** setTimeout's longest delay (2^31 − 1 ms, ~24.8 days): a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class OpenStreams {
  readonly #byCredential = new Map<string, Set<AbortController>>();
  readonly #bySite = new Map<string, number>();

  constructor(
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts a new stream of `credential` on `site`, or refuses it with 429 when either has all it may. */
  open(credential: Credential, site: string): StreamTicket {
    const mine = this.#byCredential.get(credential.key) ?? new Set<AbortController>();
    if (mine.size >= this.limits.perCredential) {
      throw httpError(
        429,
        'too_many_streams',
        `this login (or API token) already has ${mine.size} realtime streams open, the most it may (DASHBOARD_REALTIME_STREAMS_PER_LOGIN); close one first`,
        undefined,
        'credential_streams',
      );
    }
    const onSite = this.#bySite.get(site) ?? 0;
    if (onSite >= this.limits.perSite) {
      throw httpError(
        429,
        'too_many_streams',
        `${site} already has ${onSite} realtime streams open, the most it may (DASHBOARD_REALTIME_STREAMS_PER_SITE); try again later`,
        undefined,
        'site_streams',
      );
    }
    const ended = new AbortController();
    mine.add(ended);
    this.#byCredential.set(credential.key, mine);
    this.#bySite.set(site, onSite + 1);
    const timer = credential.expires === undefined ? undefined : this.#endAt(credential.expires, ended);
    let released = false;
    return {
      signal: ended.signal,
      release: () => {
        if (released) return;
        released = true;
        timer?.cancel();
        mine.delete(ended);
        if (mine.size === 0 && this.#byCredential.get(credential.key) === mine) this.#byCredential.delete(credential.key);
        const left = (this.#bySite.get(site) ?? 1) - 1;
        if (left > 0) this.#bySite.set(site, left);
        else this.#bySite.delete(site);
      },
    };
  }

  /** Ends every stream of the credential whose key is given (a logout, a revocation). */
  end(key: string, reason: EndReason): void {
    for (const ended of [...(this.#byCredential.get(key) ?? [])]) ended.abort(reason);
  }

  /** Streams open now, in all (what tests and status pages watch). */
  get stats() {
    let streams = 0;
    for (const n of this.#bySite.values()) streams += n;
    return { streams, credentials: this.#byCredential.size, sites: this.#bySite.size };
  }

  /** Aborts `ended` with `expired` at `expires`; an expiry already past aborts at once. */
  #endAt(expires: number, ended: AbortController): { cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const wait = expires - this.clock();
      if (wait <= 0) return ended.abort('expired' satisfies EndReason);
      // Unref'd: an open stream's expiry is no reason for the process to stay up.
      timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS)).unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  }
}
