/**
 * The dashboard password, kept only as a scrypt hash (Node's built-in KDF,
 * memory-hard). DASHBOARD_PASSWORD if set; else one is generated on first
 * start, shown once in the log, and only its hash is written to
 * DATA_DIR/dashboard-password. Lost, it cannot be read back: delete that
 * file and restart for a new one (passwordNotice says so at every start).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateStateFile } from '../../common/state-files.ts';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${(await derive(password, salt)).toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, , , , salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await derive(password, Buffer.from(salt, 'base64'));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export interface DashboardPassword {
  hash: string;
  /**
   * What changes exactly when the password does, for binding sessions to it (session.ts): the stored
   * hash of a generated one; a digest of a configured one, which is hashed afresh (new salt) at each start.
   */
  fingerprint: string;
  /** Whether it is DASHBOARD_PASSWORD's; the password itself is not kept past this call. */
  fromSetting: boolean;
  /** A password made now: shown once. */
  generated?: string;
  path: string;
}

export async function resolveDashboardPassword(configured: string, dataDir: string): Promise<DashboardPassword> {
  const path = join(dataDir, 'dashboard-password');
  if (configured) {
    const fingerprint = createHash('sha256').update('configured\0').update(configured).digest('hex');
    return { hash: await hashPassword(configured), fingerprint, fromSetting: true, path };
  }
  let generated: string | undefined;
  const { value: hash } = await readOrCreateStateFile(
    { path, what: 'the dashboard password hash', whyKept: 'a new password would lock out everyone who knows the old one' },
    () => hashPassword((generated = randomBytes(12).toString('base64url'))),
  );
  return { hash, fingerprint: hash, fromSetting: false, path, ...(generated ? { generated } : {}) };
}

/**
 * What `scalehouse start` logs about the password: a generated one (once),
 * and how to get a new one when it is lost — at every start, since that is
 * when someone who lost it looks.
 */
export function passwordNotice(p: Pick<DashboardPassword, 'fromSetting' | 'generated' | 'path'>, url: string): string {
  if (p.fromSetting) return `dashboard: ${url} — password from DASHBOARD_PASSWORD`;
  const reset = `lost it? stop Scalehouse, delete ${p.path} and start again for a new one, or set DASHBOARD_PASSWORD`;
  if (p.generated) return `dashboard: ${url} — password ${p.generated} (shown once; only its hash is kept in ${p.path}; ${reset})`;
  return `dashboard: ${url} — the password shown at its first start (${reset})`;
}
