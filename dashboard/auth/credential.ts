/**
 * What a dashboard request is let in with, as the realtime streams count and
 * end them: a login session (its id; it ends at its expiry, or when logged
 * out) or an API token (its digest: configured, so it ends only with a
 * restart without it). Never the cookie or the token itself.
 */
import type { Session } from './session.ts';

export interface Credential {
  /** Stable for the life of the credential, unique among them: what streams are counted under. */
  key: string;
  /** Epoch ms the credential stops working by itself (a session's cookie expiry); none for a token. */
  expires?: number;
}

export const sessionCredential = (session: Session): Credential => ({ key: `session:${session.id}`, expires: session.expires });

export const tokenCredential = (digest: string): Credential => ({ key: `token:${digest}` });
