/**
 * Session ids logged out before their cookie expired, kept until it would
 * have (DATA_DIR/dashboard-revoked-sessions, so a restart does not bring
 * them back). Each dashboard process keeps its own list: with several
 * dashboard processes behind one name, change the password (or
 * SESSION_SECRET) to log everyone out everywhere.
 */
import { join } from 'node:path';
import { readJsonFile } from '../../common/state-files.ts';
import { writeFileAtomic } from '../../common/data-files.ts';
import type { Session } from './session.ts';

export class RevokedSessions {
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string, private readonly until: Map<string, number>) {}

  static async open(dataDir: string): Promise<RevokedSessions> {
    const path = join(dataDir, 'dashboard-revoked-sessions');
    const saved = (await readJsonFile<Record<string, number>>(path)) ?? {};
    return new RevokedSessions(path, new Map(Object.entries(saved).filter(([, t]) => typeof t === 'number')));
  }

  has(session: Session): boolean {
    return this.until.has(session.id);
  }

  async revoke(session: Session, now = Date.now()): Promise<void> {
    for (const [id, t] of this.until) if (t <= now) this.until.delete(id);
    this.until.set(session.id, session.expires);
    // One write at a time, each the whole list as it is then: the last revocation's must land last.
    const write = this.writing.then(() => writeFileAtomic(this.path, JSON.stringify(Object.fromEntries(this.until))));
    this.writing = write.catch(() => undefined);
    await write;
  }
}
