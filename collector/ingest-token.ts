/**
 * The ingest token for POST /api/logs: INGEST_TOKEN if set, else one made on
 * first start and kept in DATA_DIR/ingest-token (mode 0600), so shippers keep
 * working across restarts with no configuration.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateStateFile } from '../common/state-files.ts';

export async function resolveIngestToken(configured: string, dataDir: string): Promise<{ token: string; generated: boolean; path: string }> {
  const path = join(dataDir, 'ingest-token');
  if (configured) return { token: configured, generated: false, path };
  const { value, created } = await readOrCreateStateFile(
    { path, what: 'the ingest token', whyKept: 'every shipper using it would be refused' },
    () => randomBytes(24).toString('base64url'),
  );
  return { token: value, generated: created, path };
}
