/**
 * Daily salts for the visitor hash, kept in DATA_DIR/salts.json. A salt is
 * made (32 random bytes) the first time its UTC day is needed and destroyed
 * once the day is more than two days old. Days outside that window (history
 * being replayed) get a salt that lives only in this process's memory and is
 * never written: their visitors cannot be linked across runs, by design.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../bus/local/atomic-file.ts';
import type { SaltFor } from './steps/protect-privacy.ts';

const DAY_MS = 86_400_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class SaltStore {
  private salts = new Map<string, Buffer>();
  private ephemeral = new Map<string, Buffer>();
  private dirty = false;

  constructor(private readonly path: string, private readonly clock: () => number = Date.now) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      for (const [day, hex] of Object.entries(saved)) this.salts.set(day, Buffer.from(hex, 'hex'));
    } catch {
      // No salts yet: they are made on first use.
    }
  }

  static inDataDir(dataDir: string): SaltStore {
    return new SaltStore(join(dataDir, 'salts.json'));
  }

  readonly saltFor: SaltFor = (day) => {
    const now = this.clock();
    this.rotate(now);
    const kept = day >= dayOf(now - 2 * DAY_MS) && day <= dayOf(now + DAY_MS);
    const store = kept ? this.salts : this.ephemeral;
    let salt = store.get(day);
    if (!salt) {
      salt = randomBytes(32);
      store.set(day, salt);
      if (kept) this.dirty = true;
    }
    return salt;
  };

  private rotate(now: number): void {
    const oldest = dayOf(now - 2 * DAY_MS);
    for (const day of this.salts.keys()) {
      if (day < oldest) {
        this.salts.delete(day);
        this.dirty = true;
      }
    }
  }

  /** Persists new or destroyed salts; called before the rows using them are committed. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const out: Record<string, string> = {};
    for (const [day, salt] of this.salts) out[day] = salt.toString('hex');
    await writeFileAtomic(this.path, JSON.stringify(out));
    this.dirty = false;
  }
}
