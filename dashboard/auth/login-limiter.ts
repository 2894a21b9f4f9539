/**
 * What keeps password guessing slow and cheap for the server:
 *  - failures are counted per client — an IPv4 address, or an IPv6 /64,
 *    since one host holds a whole /64 — and a client with too many in the
 *    last minute waits;
 *  - failures are also counted for everyone together: past that, every login
 *    waits the minute out, so many addresses do not buy many guesses (someone
 *    already logged in keeps their session meanwhile);
 *  - password checks (scrypt: memory-hard, ~50 ms of a core) run one at a
 *    time with a short queue; more are refused at once. scrypt runs on
 *    Node's small thread pool, which the bus also needs for its disk syncs:
 *    a flood of checks used to hold every beacon's 202 for seconds.
 * Each attempt is counted before its check, so parallel guesses cannot all
 * slip in under a limit.
 */
import { httpError } from '../../common/http-error.ts';
import { clientKey } from '../../server/client-key.ts';

export interface LoginLimits { perClient: number; everyone: number; windowMs: number; concurrent: number; queued: number }

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perClient: 10, everyone: 100, windowMs: 60_000, concurrent: 1, queued: 8 };

interface Window { failures: number; until: number }

export class LoginLimiter {
  private readonly clients = new Map<string, Window>();
  private everyone: Window = { failures: 0, until: 0 };
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS, private readonly clock: () => number = Date.now) {}

  /** Counts an attempt of `address` as a failure until `succeeded` says otherwise; refuses with 429 when it must wait. */
  attempt(address: string): { succeeded: () => void } {
    const now = this.clock();
    const key = clientKey(address);
    if (this.clients.size > 10_000) for (const [k, w] of this.clients) if (w.until <= now) this.clients.delete(k);
    const client = this.live(this.clients.get(key), now);
    if (this.everyone.until <= now) this.everyone = { failures: 0, until: now + this.limits.windowMs };
    const wait = (w: Window) => String(Math.max(1, Math.ceil((w.until - now) / 1000)));
    if (client.failures >= this.limits.perClient) {
      throw httpError(429, 'too_many_attempts', 'too many wrong passwords from here; wait a minute', { 'retry-after': wait(client) });
    }
    if (this.everyone.failures >= this.limits.everyone) {
      throw httpError(429, 'too_many_attempts', 'too many wrong passwords lately, from everywhere; logins wait a minute', { 'retry-after': wait(this.everyone) });
    }
    client.failures++;
    this.everyone.failures++;
    this.clients.set(key, client);
    return {
      succeeded: () => {
        this.clients.delete(key);
        this.everyone.failures = Math.max(0, this.everyone.failures - 1);
      },
    };
  }

  /** Runs a password check when a slot is free; refuses with 429 when too many already wait. */
  async check<T>(run: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrent) {
      if (this.waiting.length >= this.limits.queued) throw httpError(429, 'busy', 'too many logins at once; try again in a second', { 'retry-after': '1' });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await run();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private live(w: Window | undefined, now: number): Window {
    return w && w.until > now ? w : { failures: 0, until: now + this.limits.windowMs };
  }
}
