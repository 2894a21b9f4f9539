/**
 * The ingest tokens for POST /api/logs: INGEST_TOKEN if set — several,
 * comma-separated, are all accepted, so shippers can move to a new token
 * before the old one is removed — else one made on first start and kept in
 * DATA_DIR/ingest-token (mode 0600), so shippers keep working across restarts
 * with no configuration.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateStateFile } from '../common/state-files.ts';

export async function resolveIngestToken(
  configured: string,
  dataDir: string,
): Promise<{ tokens: string[]; generated: boolean; path: string }> {
  const path = join(dataDir, 'ingest-token');
  const listed = configured
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (listed.length) return { tokens: listed, generated: false, path };
  const { value, created } = await readOrCreateStateFile(
    { path, what: 'the ingest token', whyKept: 'every shipper using it would be refused' },
    () => randomBytes(24).toString('base64url'),
  );
  return { tokens: [value], generated: created, path };
}
