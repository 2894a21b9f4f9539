/**
 * What keeps password guessing slow, without a switch that locks the owner
 * out (the arithmetic is attempt-window.ts's; windows slide):
 *  - failures are counted per client — an IPv4 address, or an IPv6 /64,
 *    since one host holds a whole /64 (server/client-key.ts) — and the tenth
 *    in a minute locks that client out, a minute the first time and twice as
 *    long each time after (up to an hour);
 *  - failures of strangers are also counted together: past 100 a minute, a
 *    stranger waits for a slot of the sliding window, so many addresses do
 *    not buy many guesses — but this is a pace, not a lock;
 *  - the admin networks (DASHBOARD_ADMIN_NETWORKS: loopback by default, where
 *    an ssh tunnel arrives) are not strangers: their logins are held by their
 *    own per-client limit only, and their password checks go first in line
 *    (check-queue.ts). No flood from elsewhere can use that way in up.
 * Each attempt is counted before its check, so parallel guesses cannot all
 * slip in under a limit. The login and shared links' passwords share one.
 */
import { httpError } from '../../common/http-error.ts';
import { clientKey } from '../../server/client-key.ts';
import { forgetAttempt, judgeClient, judgeEveryone, type AttemptLimits, type ClientRecord } from './attempt-window.ts';
import { CheckQueue } from './check-queue.ts';

export interface LoginLimits extends AttemptLimits {
  concurrent: number;
  queued: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perClient: 10,
  everyone: 100,
  windowMs: 60_000,
  maxLockMs: 3_600_000,
  forgetMs: 86_400_000,
  concurrent: 1,
  queued: 8,
};

/** Clients remembered at most; past it the least recently failed are forgotten (a flood of addresses cannot fill memory). */
const MAX_CLIENTS = 100_000;

export interface Attempt {
  /** The password was right: the attempt was no failure, and the client's record is forgotten. */
  succeeded: () => void;
  /** Runs this attempt's password check when a slot is free (the admin networks' first). */
  check: <T>(run: () => Promise<T>) => Promise<T>;
}

const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

export class LoginLimiter {
  private readonly limits: LoginLimits;
  private readonly clients = new Map<string, ClientRecord>();
  private everyone: number[] = [];
  private readonly queue: CheckQueue;

  constructor(
    limits: Partial<LoginLimits> = DEFAULT_LOGIN_LIMITS,
    private readonly clock: () => number = Date.now,
    private readonly isAdmin: (address: string) => boolean = () => false,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
    this.queue = new CheckQueue(this.limits.concurrent, this.limits.queued);
  }

  /** Counts an attempt of `address` as a failure until `succeeded` says otherwise; refuses with 429 when it must wait. */
  attempt(address: string): Attempt {
    const now = this.clock();
    const key = clientKey(address);
    const admin = this.isAdmin(address);
    const client = judgeClient(this.clients.get(key), now, this.limits);
    if (client.wait > 0) {
      throw httpError(429, 'too_many_attempts', `too many wrong passwords from here; wait ${seconds(client.wait)} s`, {
        'retry-after': seconds(client.wait),
      });
    }
    const everyone = admin ? undefined : judgeEveryone(this.everyone, now, this.limits);
    if (everyone && everyone.wait > 0) {
      this.everyone = everyone.next;
      throw httpError(
        429,
        'too_many_attempts',
        'too many wrong passwords lately, from everywhere; logins from addresses outside DASHBOARD_ADMIN_NETWORKS take turns: try again shortly',
        { 'retry-after': seconds(everyone.wait) },
      );
    }
    this.remember(key, client.next);
    if (everyone) this.everyone = everyone.next;
    return {
      succeeded: () => {
        this.clients.delete(key);
        if (!admin) this.everyone = forgetAttempt(this.everyone, now);
      },
      check: (run) => this.queue.run(run, admin),
    };
  }

  /** Runs a password check when a slot is free, in the strangers' line; refuses with 429 when too many already wait. */
  check<T>(run: () => Promise<T>): Promise<T> {
    return this.queue.run(run);
  }

  private remember(key: string, record: ClientRecord): void {
    // Re-inserted, so the map's order is least recently failed first.
    this.clients.delete(key);
    this.clients.set(key, record);
    for (const [old] of this.clients) {
      if (this.clients.size <= MAX_CLIENTS) break;
      this.clients.delete(old);
    }
  }
}
