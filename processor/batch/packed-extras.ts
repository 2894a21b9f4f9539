/**
 * What a held session keeps for hits to come — its unpaired pageviews
 * (twins.ts) and behaviour evidence (bots/behaviour.ts), a few of each, at
 * most 256 — packed into one short string of bytes: per item the path's id
 * in the stream's string table, its time after the session's start and its
 * source or kind, as LEB128 varints (one byte each up to 127). A page viewed
 * once costs 6–8 bytes instead of two objects (~100 bytes in arrays of their
 * own). A string of char codes below 256 is stored one byte a character by V8.
 */
import type { UnpairedPage } from './twins.ts';
import type { RecentHit } from '../bots/behaviour.ts';
import type { StringTable } from './string-table.ts';

const SOURCES: UnpairedPage['source'][] = ['log', 'beacon'];
const KINDS: RecentHit['kind'][] = ['page', 'post', 'redirected_post'];
/** Set on an item's code when its time is not a whole millisecond after the start: then it follows as 8 raw bytes. */
const RAW_TIME = 16;

function pushVarint(out: number[], n: number): void {
  // Arithmetic, not bit operations: ids and times may pass 2^31.
  for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
  out.push(n);
}

function pushItem(out: number[], pathId: number, ts: number, start: number, code: number): void {
  pushVarint(out, pathId);
  const d = ts - start;
  if (Number.isSafeInteger(d) && Math.abs(d) < 2 ** 51) {
    out.push(code);
    pushVarint(out, d >= 0 ? 2 * d : -2 * d - 1); // zigzag: an item before the start stays short
  } else {
    out.push(code | RAW_TIME);
    out.push(...new Uint8Array(new Float64Array([ts]).buffer));
  }
}

/** The packed form of `unpaired` and `recent` ('' for none), taking a reference to each path. */
export function packExtras(unpaired: readonly UnpairedPage[], recent: readonly RecentHit[], start: number, t: StringTable): string {
  if (unpaired.length + recent.length === 0) return '';
  const out: number[] = [];
  pushVarint(out, unpaired.length);
  for (const p of unpaired) pushItem(out, t.intern(p.path), p.ts, start, SOURCES.indexOf(p.source));
  for (const r of recent) pushItem(out, t.intern(r.path), r.ts, start, KINDS.indexOf(r.kind));
  let s = '';
  for (let i = 0; i < out.length; i += 4096) s += String.fromCharCode(...out.slice(i, i + 4096));
  return s;
}

/** Reads `packed` item by item: path id, time, code. */
function* itemsOf(packed: string, start: number): Generator<[number, number, number]> {
  let at = 0;
  const varint = (): number => {
    let n = 0;
    for (let scale = 1; ; scale *= 128) {
      const c = packed.charCodeAt(at++);
      n += (c % 128) * scale;
      if (c < 128) return n;
    }
  };
  varint(); // the count of unpaired pages
  while (at < packed.length) {
    const pathId = varint();
    const code = packed.charCodeAt(at++);
    if (code & RAW_TIME) {
      const bytes = Uint8Array.from({ length: 8 }, (_, i) => packed.charCodeAt(at + i));
      at += 8;
      yield [pathId, new Float64Array(bytes.buffer)[0]!, code & ~RAW_TIME];
    } else {
      const z = varint();
      yield [pathId, start + (z % 2 === 0 ? z / 2 : -(z + 1) / 2), code];
    }
  }
}

/** The unpaired pages and evidence `packed` holds, as objects (keys in the order JSON rows write them). */
export function unpackExtras(packed: string, start: number, t: StringTable): { unpaired: UnpairedPage[]; recent: RecentHit[] } {
  const unpaired: UnpairedPage[] = [];
  const recent: RecentHit[] = [];
  if (packed === '') return { unpaired, recent };
  let count = 0;
  for (let i = 0, scale = 1; ; i++, scale *= 128) {
    const c = packed.charCodeAt(i);
    count += (c % 128) * scale;
    if (c < 128) break;
  }
  for (const [pathId, ts, code] of itemsOf(packed, start)) {
    const path = t.text(pathId);
    if (unpaired.length < count) unpaired.push({ path, ts, source: SOURCES[code]! });
    else recent.push({ ts, kind: KINDS[code]!, path });
  }
  return { unpaired, recent };
}

/** Gives back the references `packed` holds to its paths. */
export function releaseExtras(packed: string, t: StringTable): void {
  if (packed !== '') for (const [pathId] of itemsOf(packed, 0)) t.release(pathId);
}
