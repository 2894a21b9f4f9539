/**
 * Login sessions: a cookie holding a random id, its expiry and an HMAC of
 * both. The HMAC key is derived from the secret kept in DATA_DIR/session-key
 * (or SESSION_SECRET, so several dashboard processes accept each other's
 * cookies) and from the password: when the password changes, every cookie
 * issued under the old one stops working. Logging out revokes the cookie's
 * id (revoked-sessions.ts).
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
  if (!/^[0-9a-f]{64}$/i.test(value))
    throw new ScalehouseError(`${path} does not hold a 32-byte hex key; delete it to have a new one made (everyone logs in again)`);
  return Buffer.from(value, 'hex');
}

export interface Session {
  id: string;
  expires: number;
}

export interface SessionSigner {
  issue(now?: number): string;
  /** The session a cookie holds, if it is genuine and not expired (revocation is the caller's check). */
  verify(cookie: string | undefined, now?: number): Session | undefined;
}

/**
 * Signs and checks cookies under `key` and the password they were issued for
 * (`passwordFingerprint`: anything that changes exactly when the password does).
 */
export function sessionSigner(key: Buffer, passwordFingerprint: string): SessionSigner {
  const bound = createHmac('sha256', key).update('scalehouse dashboard session v2\0').update(passwordFingerprint).digest();
  const mac = (payload: string) => createHmac('sha256', bound).update(payload).digest('base64url');
  return {
    issue(now = Date.now()) {
      const payload = `v2.${now + SESSION_TTL_MS}.${randomBytes(16).toString('base64url')}`;
      return `${payload}.${mac(payload)}`;
    },
    verify(cookie, now = Date.now()) {
      if (!cookie) return undefined;
      const i = cookie.lastIndexOf('.');
      if (i < 0) return undefined;
      const payload = cookie.slice(0, i);
      const [v, expiry, id, extra] = payload.split('.');
      if (v !== 'v2' || !id || extra !== undefined || !(Number(expiry) > now)) return undefined;
      const want = Buffer.from(mac(payload));
      const got = Buffer.from(cookie.slice(i + 1));
      return want.length === got.length && timingSafeEqual(want, got) ? { id, expires: Number(expiry) } : undefined;
    },
  };
}
