/**
 * Token buckets, one per key (a client, a site): `perSecond` tokens come back
 * each second, up to `burst`; a request takes one or waits. Pure apart from
 * the clock it is given. Buckets that have filled up again are forgotten when
 * the table grows, so random keys cannot make it grow without end.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 if `key` may go now (a token is taken), else the milliseconds until it may. */
  take(key: string, now: number): number {
    const { perSecond, burst } = this.limit;
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond) : burst;
    if (tokens < 1) {
      if (b) Object.assign(b, { tokens, at: now });
      return Math.ceil(((1 - tokens) / perSecond) * 1000);
    }
    if (!b && this.buckets.size >= this.maxKeys) this.forgetFull(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  private forgetFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.limit.perSecond >= this.limit.burst) this.buckets.delete(key);
    }
  }
}
