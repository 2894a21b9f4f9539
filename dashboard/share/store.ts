/**
 * Shared links in ClickHouse (share_links, migration 0015), through the
 * dashboard's definitions handle. A link's token is made here, shown once
 * and never kept: only its SHA-256 digest is (common/token-digest.ts), and a
 * link is found by the digest of the token it is opened with. Its password,
 * if any, is kept as a scrypt hash (dashboard/auth/password.ts).
 */
import { isoTime } from '../../common/iso-time.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClickHouse } from '../../clickhouse/connect.ts';
import { insertRows } from '../../clickhouse/insert.ts';
import { selectRows } from '../../clickhouse/query.ts';
import { chTime } from '../../clickhouse/time.ts';
import { tokenDigest } from '../../common/token-digest.ts';
import { hashPassword } from '../auth/password.ts';
import { isUuid } from '../goals/store.ts';
import { nextVersion } from '../row-version.ts';
import type { LinkInput } from './link-input.ts';

/** A link as its owner sees it: never its token, digest or password hash; `created_at` in ISO 8601 (common/iso-time.ts). */
export interface ShareSummary {
  id: string;
  site: string;
  label: string;
  has_password: boolean;
  embed_origins: string[];
  created_at: string;
}
/** A live link as the server checks it. */
export interface ShareLink {
  token_digest: string;
  id: string;
  site: string;
  label: string;
  password_hash: string;
  embed_origins: string[];
  created_at: number;
}

/** 24 random bytes: 32 URL-safe characters, as many guesses as a 192-bit key. */
export const newShareToken = (): string => randomBytes(24).toString('base64url');
export const isShareToken = (token: string): boolean => /^[A-Za-z0-9_-]{32}$/.test(token);

const write = (ch: ClickHouse, link: ShareLink, deleted: boolean) =>
  insertRows(
    ch,
    'share_links',
    [
      {
        token_digest: link.token_digest,
        site: link.site,
        id: link.id,
        label: link.label,
        password_hash: link.password_hash,
        embed_origins: link.embed_origins,
        created_at: chTime(link.created_at),
        version: nextVersion(),
        is_deleted: deleted ? 1 : 0,
      },
    ],
    `share:${randomUUID()}`,
  );

/** Makes a link; its token is in the answer and nowhere else. */
export async function createShare(ch: ClickHouse, input: LinkInput): Promise<{ token: string; link: ShareSummary }> {
  const token = newShareToken();
  const link: ShareLink = {
    token_digest: tokenDigest(token),
    id: randomUUID(),
    site: input.site,
    label: input.label,
    password_hash: input.password ? await hashPassword(input.password) : '',
    embed_origins: input.embedOrigins,
    created_at: Date.now(),
  };
  await write(ch, link, false);
  return { token, link: summary(link) };
}

export const summary = (l: ShareLink): ShareSummary => ({
  id: l.id,
  site: l.site,
  label: l.label,
  has_password: l.password_hash !== '',
  embed_origins: l.embed_origins,
  created_at: isoTime(l.created_at),
});

/** As ClickHouse answers: 64-bit integers (created_at, milliseconds) come quoted, booleans as 0/1 or true/false. */
type Answered<T> = Omit<T, 'created_at'> & { created_at: number | string };
type AnsweredSummary = Omit<ShareSummary, 'created_at' | 'has_password'> & { has_password: unknown; created_at: number | string };

export const listShares = async (ch: ClickHouse, site: string): Promise<ShareSummary[]> =>
  (await selectRows<AnsweredSummary>(ch, 'queries/definitions/list-shares.sql', { site })).map((l) => ({
    ...l,
    has_password: Boolean(l.has_password),
    created_at: isoTime(l.created_at),
  }));

const asLink = (l: Answered<ShareLink>): ShareLink => ({ ...l, created_at: Number(l.created_at) });

/** The live link a token opens, if any. */
export async function findShare(ch: ClickHouse, token: string): Promise<ShareLink | undefined> {
  if (!isShareToken(token)) return undefined;
  const [link] = await selectRows<Answered<ShareLink>>(ch, 'queries/definitions/find-share.sql', { digest: tokenDigest(token) });
  return link && asLink(link);
}

/** Revokes a live link of the site: its token opens nothing from now on. False when there is none. */
export async function revokeShare(ch: ClickHouse, site: string, id: string): Promise<boolean> {
  const [link] = isUuid(id) ? await selectRows<Answered<ShareLink>>(ch, 'queries/definitions/find-share-by-id.sql', { site, id }) : [];
  if (!link) return false;
  await write(ch, asLink(link), true);
  return true;
}
