/**
 * A link planted in DATA_DIR — by whoever can write there — is never followed:
 * every file Scalehouse writes or reads there (the bus's checkpoint and
 * segments, `scalehouse tail`'s positions, logged-out sessions, the secrets
 * and ids made on first start, and each one's temporary file) is tried with a
 * link to a file outside DATA_DIR in its place, through the real code that
 * writes it. The outside file stays as it was (or, when the link leads
 * nowhere, is not made), and the write either succeeds without touching it or
 * stops with an error that says a link is in the way.
 *
 * Run as root (as CI does), the outside files are root's, as in the attack
 * that was reported; as another user they are that user's, which shows the
 * same thing.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { segmentName } from '../../bus/local/segments.ts';
import { runTail, type TailSink } from '../../collector/tail/run-tail.ts';
import { TailStateFile } from '../../collector/tail/tail-state.ts';
import { resolveIngestToken } from '../../collector/ingest-token.ts';
import { resolveDashboardPassword } from '../../dashboard/auth/password.ts';
import { SESSION_COOKIE, sessionSigner, sessionKey } from '../../dashboard/auth/session.ts';
import { RevokedSessions } from '../../dashboard/auth/revoked-sessions.ts';
import { dashboardRoutes } from '../../dashboard/routes.ts';
import { hashPassword } from '../../dashboard/auth/password.ts';
import { testLogHit } from '../helpers/hits.ts';
import { freshClickHouse } from '../helpers/clickhouse.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

/** Content with a last line cut short, so that a bus recovery cutting a torn tail would show. */
const OUTSIDE = 'a file outside DATA_DIR\nthat no write of Scalehouse may change';

/** A link at `at` to a file outside DATA_DIR; `exists: false` leaves the file unmade (a link leading nowhere). */
function plant(at: string, exists = true): { unchanged: () => void } {
  const target = join(tempDir('outside'), 'precious');
  if (exists) writeFileSync(target, OUTSIDE);
  symlinkSync(target, at);
  return {
    unchanged: () => {
      if (exists) expect(readFileSync(target, 'utf8'), 'the file outside DATA_DIR').toBe(OUTSIDE);
      else expect(existsSync(target), 'a file made outside DATA_DIR').toBe(false);
    },
  };
}

const hit = () => testLogHit('127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"');
const refusal = async (work: Promise<unknown>) =>
  (await work.then(
    () => undefined,
    (e: unknown) => e,
  )) as Error | undefined;
const LINK_REFUSED = /is a symbolic link\. Scalehouse never follows links under DATA_DIR/;

describe('links planted in DATA_DIR', () => {
  it('bus checkpoint: its temporary file is never opened through a link', async () => {
    const dir = join(tempDir('links'), 'bus');
    mkdirSync(dir);
    const planted = plant(join(dir, 'consumer.json.tmp'));
    const bus = await LocalBus.open({ dir });
    const seen: string[] = [];
    await bus.consume(async (b) => void seen.push(...b.records.map((r) => r.value)), { maxRecords: 10 });
    await bus.publish([hit()]);
    await waitFor('the batch committed', async () => (seen.length === 1 && bus.stats().lag === 0 ? true : undefined));
    await bus.close();
    planted.unchanged();
    expect(JSON.parse(readFileSync(join(dir, 'consumer.json'), 'utf8'))).toEqual({ next: 1, inflight: [] });
    expect(lstatSync(join(dir, 'consumer.json.tmp')).isSymbolicLink(), 'the planted link is left alone').toBe(true);
  });

  it('bus checkpoint: a link in its place is refused when the bus opens, not read', async () => {
    const dir = join(tempDir('links'), 'bus');
    mkdirSync(dir);
    const planted = plant(join(dir, 'consumer.json'));
    const err = await refusal(LocalBus.open({ dir }));
    planted.unchanged();
    expect(err?.message).toBe(
      `${join(dir, 'consumer.json')} is a symbolic link. Scalehouse never follows links under DATA_DIR: ` +
        'one there may have been planted to make it write to another file. Remove it, and let only the user running Scalehouse write to DATA_DIR (chown, chmod 700).',
    );
  });

  it("bus segment: a link under the last segment's name is neither cut back nor appended to", async () => {
    const dir = join(tempDir('links'), 'bus');
    mkdirSync(dir);
    const planted = plant(join(dir, segmentName(0)));
    const err = await refusal(LocalBus.open({ dir }).then((b) => b.publish([hit()]).finally(() => b.close())));
    planted.unchanged();
    expect(err?.message).toMatch(LINK_REFUSED);
  });

  it("bus segment: a link under the next segment's name makes publishing fail, not write through it", async () => {
    const dir = join(tempDir('links'), 'bus');
    mkdirSync(dir);
    const bus = await LocalBus.open({ dir, segmentBytes: 1 });
    await bus.publish([hit()]);
    const planted = plant(join(dir, segmentName(1)));
    const err = await refusal(bus.publish([hit()]));
    await bus.close();
    planted.unchanged();
    expect(err?.message).toMatch(new RegExp(`^cannot write the local bus: ${join(dir, segmentName(1))} ${LINK_REFUSED.source}`));
  });

  it('`scalehouse tail` position: its temporary file is never opened through a link', async () => {
    const root = tempDir('links');
    const log = join(root, 'access.log');
    writeFileSync(log, '127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"\n');
    const stateDir = join(root, 'tail');
    mkdirSync(stateDir);
    const state = new TailStateFile(stateDir, log);
    const planted = plant(`${state.path}.tmp`);
    // What the lines go to is not what is tested here: a sink that keeps them (the CLI's go to ClickHouse or a collector).
    const sent: string[] = [];
    const sink: TailSink = { exactlyOnce: true, send: async (hits) => void sent.push(...hits.map((h) => h.line)) };
    const stop = new AbortController();
    const run = runTail({ path: log, site: 'a.example', stateDir, sink, maxLineBytes: 8192, pollMs: 20, signal: stop.signal });
    await waitFor('the position saved past the line', async () => (((await state.load())?.pos ?? 0) > 0 ? true : undefined));
    stop.abort();
    await within('tail to stop', run);
    expect(sent).toHaveLength(1);
    planted.unchanged();
  });

  it('logged-out sessions: a real logout never writes through a link at their temporary file', async () => {
    const dataDir = tempDir('links');
    const planted = plant(join(dataDir, 'dashboard-revoked-sessions.tmp'));
    const signer = sessionSigner(Buffer.alloc(32, 3), 'password fingerprint');
    const app = dashboardRoutes(
      {
        ch: await freshClickHouse({ migrate: false }),
        passwordHash: await hashPassword('a long enough password'),
        sessions: signer,
        revoked: await RevokedSessions.open(dataDir),
      },
      () => '192.0.2.1',
    );
    const cookie = signer.issue();
    const out = await app.request('/logout', {
      method: 'POST',
      headers: { cookie: `${SESSION_COOKIE}=${cookie}`, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.status).toBe(303);
    planted.unchanged();
    const id = signer.verify(cookie)!.id;
    expect(Object.keys(JSON.parse(readFileSync(join(dataDir, 'dashboard-revoked-sessions'), 'utf8')))).toEqual([id]);
    // And it holds after a restart: the list is read back from the real file.
    expect((await RevokedSessions.open(dataDir)).has({ id, expires: 0 })).toBe(true);
  });

  const secrets = [
    { file: 'ingest-token', make: (dir: string) => resolveIngestToken('', dir) },
    { file: 'session-key', make: (dir: string) => sessionKey('', dir) },
    { file: 'dashboard-password', make: (dir: string) => resolveDashboardPassword('', dir) },
    { file: 'bus/bus-id', make: (dir: string) => LocalBus.open({ dir: join(dir, 'bus') }).then((b) => b.close()) },
  ];
  describe.each([
    { leads: 'to a file', exists: true },
    { leads: 'nowhere', exists: false },
  ])('a link leading $leads', ({ exists }) => {
    it.each(secrets)('in place of $file is refused: neither read as the secret nor written through', async ({ file, make }) => {
      const dataDir = tempDir('links');
      mkdirSync(join(dataDir, 'bus'));
      const planted = plant(join(dataDir, file), exists);
      const err = await refusal(make(dataDir));
      planted.unchanged();
      expect(err?.message).toMatch(new RegExp(`^${join(dataDir, file)} ${LINK_REFUSED.source}`));
    });
  });
});
