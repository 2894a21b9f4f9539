/**
 * The open sessions of one stream, per site and visitor, between batches:
 * compact slots (held-slots.ts) chained by start, behind the read side of a
 * Map of visitor key to sessions. `get` reads a visitor's sessions out as
 * objects for session.ts to merge; `set` stores them back. sessionize.ts reads
 * the visitors a batch reaches at its start and stores them at its end, so a
 * batch works on objects and the 100,000 sessions nobody touches stay packed.
 */
import type { Session } from './session.ts';
import { HeldSlots } from './held-slots.ts';
import { ownString } from '../own-string.ts';

const NONE = -1;

export class HeldSessions {
  private readonly slots = new HeldSlots();
  /** Visitor key (sessionize.ts visitorKey) to the slot of its earliest session. */
  private readonly first = new Map<string, number>();

  /** Visitors with an open session. */
  get size(): number {
    return this.first.size;
  }

  has(key: string): boolean {
    return this.first.has(key);
  }

  /** The visitor's sessions by start, as objects of their own (changing them changes nothing held). */
  get(key: string): Session[] | undefined {
    let slot = this.first.get(key);
    if (slot === undefined) return undefined;
    const list: Session[] = [];
    for (; slot !== NONE; slot = this.slots.next(slot)) list.push(this.slots.read(slot));
    return list;
  }

  /** Holds `sessions` (sorted by start) as the visitor's, in place of what it held; none forgets the visitor. */
  set(key: string, sessions: readonly Session[]): this {
    // The new slots are made before the old are freed, so strings both hold are not forgotten and made again.
    let next = NONE;
    for (let k = sessions.length - 1; k >= 0; k--) next = this.slots.add(sessions[k]!, next);
    const old = this.first.get(key);
    if (old !== undefined) this.removeChain(old);
    if (next === NONE) this.first.delete(key);
    else this.first.set(old === undefined ? ownString(key) : key, next);
    return this;
  }

  /** Adds one session to the visitor's, in order of start (restoring a stream: state/session-store.ts). */
  add(key: string, session: Session): void {
    const head = this.first.get(key);
    if (head === undefined || session.start < this.slots.start(head)) {
      this.first.set(head === undefined ? ownString(key) : key, this.slots.add(session, head ?? NONE));
      return;
    }
    let at = head;
    for (let n = this.slots.next(at); n !== NONE && this.slots.start(n) <= session.start; n = this.slots.next(n)) at = n;
    this.slots.setNext(at, this.slots.add(session, this.slots.next(at)));
  }

  delete(key: string): boolean {
    const head = this.first.get(key);
    if (head === undefined) return false;
    this.removeChain(head);
    return this.first.delete(key);
  }

  private removeChain(head: number): void {
    for (let slot = head; slot !== NONE; ) {
      const next = this.slots.next(slot);
      this.slots.remove(slot);
      slot = next;
    }
  }

  /** Forgets the sessions whose last hit is before `horizon`, and the visitors left with none. */
  dropEndedBefore(horizon: number): void {
    for (const [key, head] of this.first) {
      let kept = NONE;
      let tail = NONE;
      for (let slot = head; slot !== NONE; ) {
        const next = this.slots.next(slot);
        if (this.slots.last(slot) >= horizon) {
          if (tail === NONE) kept = slot;
          else this.slots.setNext(tail, slot);
          tail = slot;
        } else this.slots.remove(slot);
        slot = next;
      }
      if (tail === NONE) this.first.delete(key);
      else {
        this.slots.setNext(tail, NONE);
        if (kept !== head) this.first.set(key, kept);
      }
    }
  }

  keys(): IterableIterator<string> {
    return this.first.keys();
  }

  *values(): IterableIterator<Session[]> {
    for (const key of this.first.keys()) yield this.get(key)!;
  }

  *entries(): IterableIterator<[string, Session[]]> {
    for (const key of this.first.keys()) yield [key, this.get(key)!];
  }

  [Symbol.iterator](): IterableIterator<[string, Session[]]> {
    return this.entries();
  }

  /** Distinct strings the held sessions keep (once each, however many sessions keep them). */
  get strings(): number {
    return this.slots.strings.size;
  }
}
