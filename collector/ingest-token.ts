/**
 * The ingest token for POST /api/logs: INGEST_TOKEN if set, else one made on
 * first start and kept in DATA_DIR/ingest-token (mode 0600), so shippers keep
 * working across restarts with no configuration.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function resolveIngestToken(configured: string, dataDir: string): Promise<{ token: string; generated: boolean; path: string }> {
  const path = join(dataDir, 'ingest-token');
  if (configured) return { token: configured, generated: false, path };
  const saved = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (saved) return { token: saved, generated: false, path };
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, token + '\n', { mode: 0o600 });
  return { token, generated: true, path };
}
