/**
 * The cookie that says a password-protected link's password was given: its
 * expiry and an HMAC of the link's id and that expiry, keyed by the link's
 * password hash — which only the server knows, so holders of the link cannot
 * make one, and every dashboard process checks it without a shared key. It is
 * sent only with that link's own URLs (Path=/share/TOKEN).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ShareLink } from './store.ts';

export const UNLOCK_COOKIE = 'scalehouse_share';
export const UNLOCK_TTL_MS = 12 * 3_600_000;

const mac = (link: ShareLink, expires: number) =>
  createHmac('sha256', link.password_hash).update(`scalehouse shared link v1\0${link.id}\0${expires}`).digest('base64url');

export const unlockCookie = (link: ShareLink, now = Date.now()): string => {
  const expires = now + UNLOCK_TTL_MS;
  return `${expires}.${mac(link, expires)}`;
};

/** Whether the request may see the link: it has no password, or the cookie is genuine and not expired. */
export function unlocked(link: ShareLink, cookie: string | undefined, now = Date.now()): boolean {
  if (link.password_hash === '') return true;
  const [expiry, got, extra] = (cookie ?? '').split('.');
  const expires = Number(expiry);
  if (!got || extra !== undefined || !(expires > now)) return false;
  const want = Buffer.from(mac(link, expires));
  const given = Buffer.from(got);
  return want.length === given.length && timingSafeEqual(want, given);
}
