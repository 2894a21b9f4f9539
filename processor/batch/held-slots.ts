/**
 * Held sessions as rows of typed arrays, one slot per session (struct of
 * arrays, after ClickHouse's own columns): numbers as numbers, strings as ids
 * of the stream's string table (string-table.ts), ids as bytes (packed-id.ts).
 * A session kept as objects of strings took ~1.25 KB of heap
 * (tests/helpers/held-session-memory.ts); a slot takes 172 bytes, and its
 * unpaired pageviews and behaviour evidence (a few, at most 256 each) a few
 * bytes of a packed string (packed-extras.ts). Freed slots are reused.
 */
import type { Session } from './session.ts';
import { packExtras, releaseExtras, unpackExtras } from './packed-extras.ts';
import { packUuid, packVisitor, unpackUuid } from './packed-id.ts';
import { StringTable } from './string-table.ts';

// Doubles, in the order add() writes them: times and bus offsets (Kafka's are 64-bit), and counts, which must not wrap.
const [START, LAST, HITS, PAGEVIEWS, EVENTS, ENGAGED, ENTRY_TS, ENTRY_OFFSET, EXIT_TS, EXIT_OFFSET, LAST_OFFSET, F64] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
// String ids, in the order add() writes them; then the next session of the same visitor (-1: none) and flags.
const [SITE, VISITOR_TEXT, PATH, REFERRER, CHANNEL, UTM_SOURCE, UTM_MEDIUM, UTM_CAMPAIGN, BROWSER, OS, DEVICE, COUNTRY, EXIT_PATH] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
];
const [NEXT, FLAGS, I32] = [13, 14, 15];
const ENTRY_PAGE = 1;
const VISITOR_AS_TEXT = 2;
/** Columns SITE to EXIT_PATH are string ids (VISITOR_TEXT is the empty string's when the id is a number). */
const STRING_COLUMNS = EXIT_PATH + 1;

export class HeldSlots {
  readonly strings = new StringTable();
  private capacity = 0;
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private ids = new Uint8Array(0);
  private visitors = new BigUint64Array(0);
  /** Per slot: its unpaired pages and evidence, packed (packed-extras.ts). */
  private readonly extras: string[] = [];
  /** Earlier ids of the few sessions that have any (a moved start, a merge). */
  private readonly merged = new Map<number, string[]>();
  private readonly free: number[] = [];
  private used = 0;

  next(slot: number): number {
    return this.i32[slot * I32 + NEXT]!;
  }
  setNext(slot: number, next: number): void {
    this.i32[slot * I32 + NEXT] = next;
  }
  last(slot: number): number {
    return this.f64[slot * F64 + LAST]!;
  }
  start(slot: number): number {
    return this.f64[slot * F64 + START]!;
  }

  /** A slot holding `s`. */
  add(s: Session, next: number): number {
    const slot = this.free.pop() ?? this.grow();
    const [f, i, t, a, n] = [slot * F64, slot * I32, this.strings, this.f64, this.i32];
    const e = s.entry;
    const numbers = [s.start, s.last, s.hits, s.pageviews, s.events, s.engagedMs, e.ts, e.offset, s.exit.ts, s.exit.offset, s.lastOffset];
    for (let k = 0; k < F64; k++) a[f + k] = numbers[k]!;
    const visitor = packVisitor(s.visitorId);
    this.visitors[slot] = visitor ?? 0n;
    const texts = [s.site, visitor === undefined ? s.visitorId : '', e.path, e.referrerHost, e.channel, e.utmSource, e.utmMedium];
    texts.push(e.utmCampaign, e.browser, e.os, e.deviceType, e.country, s.exit.path);
    for (let k = 0; k < STRING_COLUMNS; k++) n[i + k] = t.intern(texts[k]!);
    n[i + NEXT] = next;
    this.i32[i + FLAGS] = (e.page ? ENTRY_PAGE : 0) | (visitor === undefined ? VISITOR_AS_TEXT : 0);
    packUuid(s.id, this.ids, slot * 16);
    if (s.mergedIds.length > 0) this.merged.set(slot, [...s.mergedIds]);
    this.extras[slot] = packExtras(s.unpaired, s.recent, s.start, t);
    return slot;
  }

  /** The session in `slot`, as session.ts merges it: objects of its own, which the slot does not see changed. */
  read(slot: number): Session {
    const [f, i, t, a] = [slot * F64, slot * I32, this.strings, this.f64];
    const str = (k: number) => t.text(this.i32[i + k]!);
    const id = unpackUuid(this.ids, slot * 16);
    const start = a[f + START]!;
    const { unpaired, recent } = unpackExtras(this.extras[slot]!, start, t);
    return {
      id,
      site: str(SITE),
      visitorId: this.i32[i + FLAGS]! & VISITOR_AS_TEXT ? str(VISITOR_TEXT) : this.visitors[slot]!.toString(),
      start,
      last: a[f + LAST]!,
      hits: a[f + HITS]!,
      pageviews: a[f + PAGEVIEWS]!,
      events: a[f + EVENTS]!,
      engagedMs: a[f + ENGAGED]!,
      entry: {
        ts: a[f + ENTRY_TS]!,
        offset: a[f + ENTRY_OFFSET]!,
        page: (this.i32[i + FLAGS]! & ENTRY_PAGE) !== 0,
        path: str(PATH),
        referrerHost: str(REFERRER),
        channel: str(CHANNEL),
        utmSource: str(UTM_SOURCE),
        utmMedium: str(UTM_MEDIUM),
        utmCampaign: str(UTM_CAMPAIGN),
        browser: str(BROWSER),
        os: str(OS),
        deviceType: str(DEVICE),
        country: str(COUNTRY),
      },
      exit: { ts: a[f + EXIT_TS]!, offset: a[f + EXIT_OFFSET]!, path: str(EXIT_PATH) },
      lastOffset: a[f + LAST_OFFSET]!,
      // Held between batches, a session's rows are the one it was last written as (sessionize.ts sets it so).
      written: [{ id, start }],
      mergedIds: [...(this.merged.get(slot) ?? [])],
      unpaired,
      recent,
    };
  }

  /** Frees `slot` and the strings only it held. */
  remove(slot: number): void {
    const i = slot * I32;
    for (let k = 0; k < STRING_COLUMNS; k++) this.strings.release(this.i32[i + k]!);
    releaseExtras(this.extras[slot]!, this.strings);
    this.extras[slot] = '';
    this.merged.delete(slot);
    this.free.push(slot);
  }

  private grow(): number {
    if (this.used === this.capacity) {
      // A quarter more: at most a quarter of the slots stand empty (doubling leaves up to half), and a store of
      // 100,000 sessions is copied some 40 times on its way up, a few milliseconds each.
      this.capacity = Math.max(64, Math.ceil(this.capacity * 1.25));
      const more = <T extends Float64Array | Int32Array | Uint8Array | BigUint64Array>(old: T, make: (n: number) => T, per: number): T => {
        const grown = make(this.capacity * per);
        grown.set(old as never);
        return grown;
      };
      this.f64 = more(this.f64, (n) => new Float64Array(n), F64);
      this.i32 = more(this.i32, (n) => new Int32Array(n), I32);
      this.ids = more(this.ids, (n) => new Uint8Array(n), 16);
      this.visitors = more(this.visitors, (n) => new BigUint64Array(n), 1);
    }
    return this.used++;
  }
}
