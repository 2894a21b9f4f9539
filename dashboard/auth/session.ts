/**
 * Login sessions: a cookie holding its expiry and an HMAC of it, keyed by a
 * secret kept in DATA_DIR/session-key (or SESSION_SECRET, so several
 * dashboard processes accept each other's cookies). Nothing to store server-side.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { ScalehouseError } from '../../common/errors.ts';
import { readOrCreateStateFile } from '../../common/state-files.ts';

export const SESSION_COOKIE = 'scalehouse_session';
export const SESSION_TTL_MS = 7 * 86_400_000;

export async function sessionKey(configured: string, dataDir: string): Promise<Buffer> {
  if (configured) {
    if (configured.length < 32) throw new ScalehouseError('SESSION_SECRET must be at least 32 characters');
    return Buffer.from(configured);
  }
  const path = join(dataDir, 'session-key');
  const { value } = await readOrCreateStateFile(
    { path, what: 'the dashboard session key', whyKept: 'a new key would log everyone out' },
    () => randomBytes(32).toString('hex'),
  );
  // A short or non-hex key would make cookies forgeable: refuse it rather than decode it to nothing.
  if (!/^[0-9a-f]{64}$/i.test(value)) throw new ScalehouseError(`${path} does not hold a 32-byte hex key; delete it to have a new one made (everyone logs in again)`);
  return Buffer.from(value, 'hex');
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function issueSession(key: Buffer, now = Date.now()): string {
  const payload = `v1.${now + SESSION_TTL_MS}`;
  return `${payload}.${mac(key, payload)}`;
}

export function verifySession(key: Buffer, cookie: string | undefined, now = Date.now()): boolean {
  if (!cookie) return false;
  const i = cookie.lastIndexOf('.');
  if (i < 0) return false;
  const payload = cookie.slice(0, i);
  const [v, expiry] = payload.split('.');
  if (v !== 'v1' || !(Number(expiry) > now)) return false;
  const want = Buffer.from(mac(key, payload));
  const got = Buffer.from(cookie.slice(i + 1));
  return want.length === got.length && timingSafeEqual(want, got);
}
