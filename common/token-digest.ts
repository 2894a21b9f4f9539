/**
 * Ingest and API tokens are kept and compared as SHA-256 digests (hex):
 * DASHBOARD_TOKENS lists digests, so a leaked configuration leaks no token.
 */
import { createHash } from 'node:crypto';

export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');
