/**
 * A string cut from a longer one (a path out of a log line) may share the
 * longer one's memory: V8 keeps the whole line alive for as long as the piece
 * is kept. What outlives a batch — a held session's paths, referrer and
 * campaign — is copied out first, or each open session keeps one or two raw
 * lines alive (~300 bytes each; bench/memory.ts). V8 cuts pieces this way
 * only from 13 characters on.
 */
import type { Event } from './event.ts';

export const ownString = (s: string): string => (s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8'));

/** Gives the strings of `ev` that a session may keep (entry, exit, evidence, unpaired pages) memory of their own. */
export function ownKeptStrings(ev: Event): void {
  ev.path = ownString(ev.path);
  ev.referrerHost = ownString(ev.referrerHost);
  ev.utm.source = ownString(ev.utm.source);
  ev.utm.medium = ownString(ev.utm.medium);
  ev.utm.campaign = ownString(ev.utm.campaign);
}
