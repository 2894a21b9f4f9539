/** Hits and bus records for tests, made with the product's own builder (common/hit.ts). */
import type { BusRecord } from '../../bus/bus.ts';
import { encodeHit, logHit, type LogHit } from '../../common/hit.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';

export interface HitOptions {
  site?: string;
  receivedAt?: number;
  client?: string;
}

/** A log hit of site example.com, received at time 0 unless told otherwise. */
export const testLogHit = (line: string, o: HitOptions = {}): LogHit =>
  logHit(o.site ?? 'example.com', line, { receivedAt: o.receivedAt ?? 0, client: o.client ?? '' });

/** The same hit as a bus record at `offset`. */
export const logRecord = (line: string, offset: number, o: HitOptions & { position?: string } = {}): BusRecord => ({
  value: encodeHit(testLogHit(line, o)),
  position: o.position ?? `test@${offset}`,
  offset,
});

/** The salt of every day in tests that need the collector's pseudonyms to be predictable. */
export const TEST_SALT = Buffer.alloc(32, 7);
/** The collector's pseudonymiser under TEST_SALT: tests compute expected pseudonyms with it. */
export const testPseudonymiser = () => pseudonymiser(() => TEST_SALT);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/**
 * Midnight UTC of the day the tests run. Hits that cross a restart must be of
 * a day whose salt is kept (today or the two before), or the visitor ids they
 * hash to differ between processes, by design; a fixed date goes stale.
 */
export const TODAY = Math.floor(Date.now() / 86_400_000) * 86_400_000;
/** A time as nginx's and Apache's `%t` writes it: `28/Nov/2026:10:00:00 +0000`. */
export const clfTime = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};
