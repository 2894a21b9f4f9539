/**
 * The login limits on an injected clock (no sleeps): windows that slide, so
 * no burst gets twice the limit through across a boundary; lock-outs that grow
 * for one client and leave others alone; a limit on everyone that paces
 * strangers but never holds back the admin networks, whose checks go first.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter } from '../../dashboard/auth/login-limiter.ts';

const WINDOW = DEFAULT_LOGIN_LIMITS.windowMs;

/** A limiter on a clock the test moves, and attempts that say whether they were admitted (and the wait when not). */
function limiterAt(isAdmin?: (address: string) => boolean) {
  const clock = { now: 1_000_000 };
  const limiter = new LoginLimiter(DEFAULT_LOGIN_LIMITS, () => clock.now, isAdmin);
  const attempt = (address: string): { admitted: boolean; retryAfter?: number } => {
    try {
      limiter.attempt(address);
      return { admitted: true };
    } catch (err) {
      const res = (err as { getResponse: () => Response }).getResponse();
      expect(res.status).toBe(429);
      return { admitted: false, retryAfter: Number(res.headers.get('retry-after')) };
    }
  };
  return { clock, limiter, attempt };
}

/** The most attempts admitted within any span of one window (half-open, as the window slides). */
function mostInAnyWindow(admittedAt: number[]): number {
  return Math.max(0, ...admittedAt.map((t) => admittedAt.filter((u) => u <= t && t - u < WINDOW).length));
}

describe('login limits', () => {
  it('let no more than ten failures of one client through in any minute, across what was a window boundary', () => {
    const { clock, attempt } = limiterAt();
    const admitted: number[] = [];
    // One failure, nine more just before a minute is up, then ten more just after it.
    const plan = [0, ...Array<number>(9).fill(59_000), ...Array<number>(10).fill(60_500), ...Array<number>(10).fill(119_500)];
    for (const at of plan) {
      clock.now = 1_000_000 + at;
      if (attempt('198.51.100.7').admitted) admitted.push(clock.now);
    }
    expect(mostInAnyWindow(admitted)).toBeLessThanOrEqual(DEFAULT_LOGIN_LIMITS.perClient);
    // The tenth locked it out for a minute from then: the next ten only once that minute is over.
    expect(admitted.map((t) => t - 1_000_000)).toEqual([0, ...Array<number>(9).fill(59_000), ...Array<number>(10).fill(119_500)]);
  });

  it("let no more than a hundred strangers' failures through in any minute, from many addresses", () => {
    const { clock, attempt } = limiterAt();
    const admitted: number[] = [];
    let n = 0;
    const from = () => `203.0.113.${(n++ % 250) + 1}`; // never ten from one address within a minute
    clock.now = 1_000_000;
    if (attempt(from()).admitted) admitted.push(clock.now);
    for (const at of [59_000, 60_500, 90_000]) {
      clock.now = 1_000_000 + at;
      for (let i = 0; i < 120; i++) if (attempt(from()).admitted) admitted.push(clock.now);
    }
    expect(mostInAnyWindow(admitted)).toBeLessThanOrEqual(DEFAULT_LOGIN_LIMITS.everyone);
  });

  it('locks a client out longer each time it reaches the limit, and leaves another client alone', () => {
    const { clock, attempt } = limiterAt();
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) expect(attempt('198.51.100.7').admitted, `round ${round}, failure ${i + 1}`).toBe(true);
      const refused = attempt('198.51.100.7');
      expect(refused.admitted).toBe(false);
      waits.push(refused.retryAfter!);
      // Another address is not held back by it.
      expect(attempt(`198.51.100.${100 + round}`).admitted).toBe(true);
      clock.now += refused.retryAfter! * 1000;
    }
    expect(waits).toEqual([60, 120, 240, 480]);
  });

  it('paces strangers past the limit on everyone, but never holds back the admin networks', () => {
    const { clock, attempt } = limiterAt((a) => a === '127.0.0.1');
    for (let i = 0; i < 100; i++) expect(attempt(`203.0.113.${(i % 20) + 1}`).admitted).toBe(true);
    const stranger = attempt('192.0.2.99');
    expect(stranger.admitted).toBe(false);
    expect(stranger.retryAfter).toBeLessThanOrEqual(60);
    expect(attempt('127.0.0.1').admitted).toBe(true);
    // A slot of the sliding window frees as the oldest failure leaves it: the stranger gets a turn.
    clock.now += WINDOW;
    expect(attempt('192.0.2.99').admitted).toBe(true);
  });

  it("puts the admin networks' password checks first, and never in the strangers' full line", async () => {
    const { limiter } = limiterAt((a) => a === '127.0.0.1');
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const running = limiter.attempt('203.0.113.1').check(async () => {
      await held;
      order.push('first stranger');
    });
    const waiting = Array.from({ length: DEFAULT_LOGIN_LIMITS.queued }, (_, i) =>
      limiter.attempt(`203.0.113.${i + 2}`).check(async () => {
        order.push('stranger');
      }),
    );
    await expect(limiter.attempt('203.0.113.99').check(async () => undefined)).rejects.toMatchObject({ status: 429 });
    const owner = limiter.attempt('127.0.0.1').check(async () => {
      order.push('owner');
    });
    release();
    await Promise.all([running, owner, ...waiting]);
    expect(order.slice(0, 2)).toEqual(['first stranger', 'owner']);
  });
});
