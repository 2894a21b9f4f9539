/** Exponential backoff with full jitter (as kafkajs' retrier): 100 ms doubling to a 10 s ceiling. */
export function backoffDelay(attempt: number, base = 100, max = 10_000): number {
  return Math.random() * Math.min(max, base * 2 ** attempt);
}

export function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, backoffDelay(attempt)));
}
