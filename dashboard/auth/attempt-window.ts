/**
 * The arithmetic of the login limits, pure: what a client's or everyone's
 * record of failed attempts says about one more attempt at `now`, and the
 * record after it. IO (the maps, the clock) is login-limiter.ts's.
 *
 * Windows slide: an attempt is admitted only while fewer than the limit were
 * admitted in the `windowMs` before it. A fixed window that restarts every
 * minute let the limit through at the end of one minute and again at the
 * start of the next — twice the limit in a second.
 */

export interface AttemptLimits {
  /** Failures one client may have within `windowMs` before it is locked out. */
  perClient: number;
  /** Failures of strangers (clients not in the admin networks) together within `windowMs`. */
  everyone: number;
  windowMs: number;
  /** The longest lock-out: each lock-out of a client doubles the last, from `windowMs` up to this. */
  maxLockMs: number;
  /** A client with no failure for this long starts afresh (its lock-outs no longer grow from the last). */
  forgetMs: number;
}

export interface ClientRecord {
  /** Times of failures within the window, oldest first (at most `perClient`). */
  times: number[];
  /** Lock-outs so far: the next lasts `windowMs` × 2^strikes. */
  strikes: number;
  lockedUntil: number;
  lastFailure: number;
}

/** Admitted (wait 0) with the record to keep, or refused for `wait` ms with the record unchanged. */
export interface Judgement<R> {
  wait: number;
  next: R;
}

const fresh = (): ClientRecord => ({ times: [], strikes: 0, lockedUntil: 0, lastFailure: 0 });

const within = (times: readonly number[], now: number, windowMs: number): number[] => times.filter((t) => now - t < windowMs);

/**
 * One more attempt of a client, counted as a failure until it succeeds. The
 * attempt that reaches the limit is still admitted (and checked), and locks
 * the client out from then: for `windowMs` the first time, twice as long each
 * time after, up to `maxLockMs` — so an address guessing for hours gets a
 * few guesses an hour, while the owner who mistypes ten times waits a minute.
 */
export function judgeClient(record: ClientRecord | undefined, now: number, l: AttemptLimits): Judgement<ClientRecord> {
  const r = record && now - record.lastFailure < l.forgetMs ? record : fresh();
  if (r.lockedUntil > now) return { wait: r.lockedUntil - now, next: r };
  const times = [...within(r.times, now, l.windowMs), now];
  if (times.length < l.perClient) return { wait: 0, next: { ...r, times, lastFailure: now } };
  const strikes = r.strikes + 1;
  // At least the window, so that its failures have all left it when the lock-out ends.
  const lock = Math.max(l.windowMs, Math.min(l.windowMs * 2 ** (strikes - 1), l.maxLockMs));
  return { wait: 0, next: { times: [], strikes, lockedUntil: now + lock, lastFailure: now } };
}

/**
 * One more attempt of a stranger, against the failures of all strangers
 * together. Past the limit a stranger waits only until the oldest failure
 * leaves the window — a slot frees every `windowMs / everyone` on average —
 * so guessing from many addresses is paced to `everyone` a window, and a
 * stranger who tries again still gets a turn: nobody is locked out for long.
 */
export function judgeEveryone(times: readonly number[], now: number, l: AttemptLimits): Judgement<number[]> {
  const live = within(times, now, l.windowMs);
  if (live.length >= l.everyone) return { wait: live[0]! + l.windowMs - now, next: live };
  return { wait: 0, next: [...live, now] };
}

/** The failures of everyone once an attempt made at `at` turned out right: it was no guess. */
export function forgetAttempt(times: readonly number[], at: number): number[] {
  const i = times.indexOf(at);
  return i < 0 ? [...times] : [...times.slice(0, i), ...times.slice(i + 1)];
}
