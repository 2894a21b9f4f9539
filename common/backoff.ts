/** Exponential backoff with full jitter (as kafkajs' retrier): 100 ms doubling to a 10 s ceiling. */
export function backoffDelay(attempt: number, base = 100, max = 10_000): number {
  return Math.random() * Math.min(max, base * 2 ** attempt);
}

export function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, backoffDelay(attempt)));
}

/**
 * Runs `work` until it succeeds, with backoff between attempts, for as long as
 * `keepTrying()` holds. `onFailure` sees each error first (to log it, send a
 * heartbeat, or rethrow to give up). Resolves true once done, false if it
 * stopped trying — the bus consumers and `scalehouse tail` all retry this way.
 */
export async function retryWithBackoff(
  work: () => Promise<void>,
  keepTrying: () => boolean,
  onFailure: (err: unknown, attempt: number) => void | Promise<void>,
): Promise<boolean> {
  for (let attempt = 0; keepTrying(); attempt++) {
    try {
      await work();
      return true;
    } catch (err) {
      await onFailure(err, attempt);
      if (!keepTrying()) break;
      await backoff(attempt);
    }
  }
  return false;
}
