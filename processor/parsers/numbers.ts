/**
 * Numbers from logs are text written by whoever sent them: every one becomes
 * a non-negative integer within its column's range before it reaches
 * ClickHouse, so no line can make an insert fail.
 */
export const UINT32_MAX = 4_294_967_295;

export function clampInt(n: number, max: number): number {
  return Number.isFinite(n) && n > 0 ? Math.min(Math.round(n), max) : 0;
}

const EARLIEST = Date.UTC(1990, 0, 1);
// Clocks differ and logs arrive late, never a day early: a later time is a wrong one.
const FUTURE_TOLERANCE_MS = 86_400_000;

/** A time an access log can really hold: after 1990, and not in the future of when the hit arrived. */
export function isPlausibleTime(ms: number, receivedAt: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= Math.max(receivedAt, Date.now()) + FUTURE_TOLERANCE_MS;
}
