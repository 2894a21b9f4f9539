/**
 * Daily salts for the visitor hash, shared by every processor through the
 * `visitor_salts` table. Each refresh makes sure the salts of the days kept —
 * the two before today, today and tomorrow — exist (32 random bytes, made a
 * day ahead; when processors race to make one,
 * insert deduplication keeps exactly one),
 * destroys those older than two days (dropping their partitions: no
 * mutations), and caches the rest. Days outside that
 * window (history being replayed) get a salt that lives only in this
 * process's memory and is never written: such visitors cannot be linked
 * across runs, by design.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { command, selectRows } from '../../clickhouse/query.ts';
import type { SaltFor } from '../../common/pseudonym.ts';

const DAY_MS = 86_400_000;
const REFRESH_MS = 60_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class SaltStore {
  private salts = new Map<string, Buffer>();
  private ephemeral = new Map<string, Buffer>();
  private refreshedAt = -Infinity;
  private seed: Buffer | undefined;

  constructor(
    private readonly ch: ClickHouse,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Brings the cache up to date (at most once a minute unless forced); call before processing a batch. */
  async refresh(force = false): Promise<void> {
    const now = this.clock();
    if (!force && now - this.refreshedAt < REFRESH_MS) return;
    const oldest = dayOf(now - 2 * DAY_MS);
    for (const { old_day: day } of await selectRows<{ old_day: string }>(this.ch, 'queries/salts-old-days.sql', { oldest })) {
      await command(this.ch, 'queries/salts-drop-day.sql', { day });
    }
    let known = await this.read(oldest);
    // Every day still kept has a salt, not only today and tomorrow: late hits of yesterday (around
    // midnight, after a restart, on a new installation) must hash alike in every process, or a
    // batch done again after a crash would make other visitor ids than the first attempt.
    const kept = [-2, -1, 0, 1].map((d) => dayOf(now + d * DAY_MS));
    const missing = kept.filter((d) => !known.has(d));
    if (missing.length) {
      // One insert per day under a token naming the day: when processors race to make the same
      // day's salt, ClickHouse keeps the first insert and drops the others as duplicates, so all
      // of them read back the same single salt.
      for (const day of missing)
        await insertRows(this.ch, 'visitor_salts', [{ day, salt: randomBytes(32).toString('hex') }], `salt:${day}`);
      known = await this.read(oldest);
    }
    this.salts = known;
    this.refreshedAt = now;
  }

  private async read(oldest: string): Promise<Map<string, Buffer>> {
    const rows = await selectRows<{ salt_day: string; salt_hex: string }>(this.ch, 'queries/salts-read.sql', { oldest });
    return new Map(rows.map((r) => [r.salt_day, Buffer.from(r.salt_hex, 'hex')]));
  }

  /**
   * For `scalehouse replay`: days without a kept salt get one derived from a
   * seed stored for this file until it is fully imported, so an interrupted
   * import, run again, hashes its visitors the same way.
   */
  async useReplaySeed(fileHash: string): Promise<{ done: () => Promise<void> }> {
    const read = async () => {
      const rows = await selectRows<{ seed: string }>(this.ch, 'queries/replay-seed-read.sql', { file_hash: fileHash });
      return rows[0]?.seed ?? '';
    };
    const make = async (token: string) => {
      await insertRows(this.ch, 'replay_seeds', [{ file_hash: fileHash, seed: randomBytes(32).toString('hex') }], token);
      return read();
    };
    // Racing runs of a file share the first seed made under the file's token. A file imported
    // before had its seed deleted, and ClickHouse still drops that token's insert: without a new
    // seed under a token of its own, its old days' salts would derive from an empty key, which
    // anyone can compute.
    const seed =
      (await read()) ||
      (await make(`replay-seed:${fileHash}`)) ||
      (await make(`replay-seed:${fileHash}:${randomBytes(8).toString('hex')}`));
    this.seed = Buffer.from(seed, 'hex');
    this.ephemeral.clear();
    return {
      done: async () => {
        this.seed = undefined;
        this.ephemeral.clear();
        await command(this.ch, 'queries/replay-seed-delete.sql', { file_hash: fileHash });
      },
    };
  }

  readonly saltFor: SaltFor = (day) => {
    const kept = this.salts.get(day);
    if (kept) return kept;
    let salt = this.ephemeral.get(day);
    if (!salt) {
      salt = this.seed ? createHmac('sha256', this.seed).update(day).digest() : randomBytes(32);
      this.ephemeral.set(day, salt);
    }
    return salt;
  };
}
