/**
 * Session state survives restarts: after each batch is loaded, the open
 * sessions are written to DATA_DIR/sessions-<stream>.json with the token of
 * that batch. If the process dies after this write but before the bus commit,
 * the same batch comes back with the same token: its rows are already in
 * ClickHouse and the state already includes it, so it is skipped. If it dies
 * before this write, the state is the one before the batch and the batch is
 * simply processed again (ClickHouse drops the duplicate rows by token).
 */
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../bus/local/atomic-file.ts';
import type { Session, SessionState } from './steps/sessionize.ts';

interface Saved { afterToken: string; sessions: [string, Session][] }

export class SessionStore {
  constructor(private readonly dir: string) {}

  private path(stream: string): string {
    return join(this.dir, `sessions-${stream.replace(/[^a-zA-Z0-9_-]/g, '_')}.json`);
  }

  async load(stream: string): Promise<{ state: SessionState; afterToken: string }> {
    const saved = await readJsonFile<Saved>(this.path(stream));
    return { state: new Map(saved?.sessions ?? []), afterToken: saved?.afterToken ?? '' };
  }

  async save(stream: string, state: SessionState, afterToken: string): Promise<void> {
    const saved: Saved = { afterToken, sessions: [...state] };
    await writeFileAtomic(this.path(stream), JSON.stringify(saved));
  }
}
