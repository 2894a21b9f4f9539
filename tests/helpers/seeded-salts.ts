/**
 * A SaltStore (processor/state/salt-store.ts) whose salts are the same on every engine it is made
 * for, so that two databases fed the same hits hash the same visitors: the salts of the days
 * visitor_salts keeps are written before the store first refreshes (it makes only those missing),
 * and the days not kept — the fixture logs' years — derive from a replay seed stored the same on
 * each (useReplaySeed reads a seed stored under the file's hash before making one).
 */
import { createHmac } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';

const DAY_MS = 86_400_000;
const SEED = Buffer.alloc(32, 27);
const SEED_NAME = 'seeded-salts';

export async function seededSalts(ch: ClickHouse): Promise<SaltStore> {
  const now = Date.now();
  // The days SaltStore.refresh keeps: the two before today, today and tomorrow.
  for (const d of [-2, -1, 0, 1]) {
    const day = new Date(now + d * DAY_MS).toISOString().slice(0, 10);
    const salt = createHmac('sha256', SEED).update(`kept\n${day}`).digest('hex');
    await insertRows(ch, 'visitor_salts', [{ day, salt }], `salt:${day}`);
  }
  await insertRows(ch, 'replay_seeds', [{ file_hash: SEED_NAME, seed: SEED.toString('hex') }], `replay-seed:${SEED_NAME}`);
  const salts = new SaltStore(ch);
  await salts.useReplaySeed(SEED_NAME);
  await salts.refresh(true);
  return salts;
}
