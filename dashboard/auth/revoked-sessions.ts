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
  private readonly listeners = new Set<(session: Session) => void>();

  private constructor(
    private readonly path: string,
    private readonly until: Map<string, number>,
  ) {}

  static async open(dataDir: string): Promise<RevokedSessions> {
    const path = join(dataDir, 'dashboard-revoked-sessions');
    const saved = (await readJsonFile<Record<string, number>>(path)) ?? {};
    return new RevokedSessions(path, new Map(Object.entries(saved).filter(([, t]) => typeof t === 'number')));
  }

  has(session: Session): boolean {
    return this.until.has(session.id);
  }

  /** Calls `listener` with each session revoked from now on (what it let open, realtime streams, ends with it); returns the unsubscribe. */
  onRevoke(listener: (session: Session) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async revoke(session: Session, now = Date.now()): Promise<void> {
    for (const [id, t] of this.until) if (t <= now) this.until.delete(id);
    this.until.set(session.id, session.expires);
    // Told before the write: the session is refused from here on, whether or not the file is written.
    for (const listener of this.listeners) listener(session);
    // One write at a time, each the whole list as it is then: the last revocation's must land last.
    const write = this.writing.then(() => writeFileAtomic(this.path, JSON.stringify(Object.fromEntries(this.until))));
    this.writing = write.catch(() => undefined);
    await write;
  }
}
