/** Hits and bus records for tests, made with the product's own builder (common/hit.ts). */
import type { BusRecord } from '../../bus/bus.ts';
import { logHit, type LogHit } from '../../common/hit.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';

export interface HitOptions { site?: string; receivedAt?: number; client?: string }

/** A log hit of site example.com, received at time 0 unless told otherwise. */
export const testLogHit = (line: string, o: HitOptions = {}): LogHit =>
  logHit(o.site ?? 'example.com', line, { receivedAt: o.receivedAt ?? 0, client: o.client ?? '' });

/** The same hit as a bus record at `offset`. */
export const logRecord = (line: string, offset: number, o: HitOptions & { position?: string } = {}): BusRecord =>
  ({ value: JSON.stringify(testLogHit(line, o)), position: o.position ?? `test@${offset}`, offset });

/** The salt of every day in tests that need the collector's pseudonyms to be predictable. */
export const TEST_SALT = Buffer.alloc(32, 7);
/** The collector's pseudonymiser under TEST_SALT: tests compute expected pseudonyms with it. */
export const testPseudonymiser = () => pseudonymiser(() => TEST_SALT);
