/**
 * The strings held sessions keep (site, paths, referrer host, channel, UTM
 * tags, browser, OS, device, country), each kept once per stream and named by
 * a small number: 100,000 open sessions hold a few dozen browsers and a few
 * thousand paths, not 100,000 copies of each (issue 27's memory goal). Counted
 * references: a string no held session uses any more is forgotten and its
 * number reused, so a processor that runs for months does not keep every path
 * it ever saw.
 */
import { ownString } from '../own-string.ts';

/** Id 0 is always the empty string, never counted: most UTM tags and many referrers are empty. */
export const EMPTY_ID = 0;

export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [''];
  private refs = new Uint32Array(64);
  private readonly free: number[] = [];

  /** The id of `s`, taking one reference to it. */
  intern(s: string): number {
    if (s === '') return EMPTY_ID;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.free.pop() ?? this.strings.length;
      // A piece cut from a raw line would keep the whole line alive (own-string.ts).
      const own = ownString(s);
      this.strings[id] = own;
      this.ids.set(own, id);
      if (id >= this.refs.length) {
        const grown = new Uint32Array(this.refs.length * 2);
        grown.set(this.refs);
        this.refs = grown;
      }
    }
    this.refs[id]!++;
    return id;
  }

  /** The string of `id`. */
  text(id: number): string {
    return this.strings[id]!;
  }

  /** Gives back one reference to `id`; the last one forgets the string. */
  release(id: number): void {
    if (id === EMPTY_ID) return;
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.strings[id]!);
    this.strings[id] = '';
    this.free.push(id);
  }

  /** How many different strings are held (the empty one aside). */
  get size(): number {
    return this.ids.size;
  }
}
