/**
 * Whether a bus is refusing hits, and why: from a refusal until the next hits
 * it takes (at most a minute, if none come), /readyz says so, since a
 * collector answering 503/507 is not ready whatever else holds.
 */
import { errorMessage } from '../common/errors.ts';

const SHOWN_MS = 60_000;

export class RecentRefusal {
  private last: { reason: string; at: number } | undefined;

  /** Records the refusal and returns the error, to be thrown or rejected with. */
  note<E>(err: E): E {
    this.last = { reason: errorMessage(err), at: Date.now() };
    return err;
  }

  /** Hits were taken again: the refusal is over. */
  clear(): void {
    this.last = undefined;
  }

  /** The readiness problem, while the last refusal is recent. */
  problem(bus: string): string | undefined {
    return this.last && Date.now() - this.last.at < SHOWN_MS ? `${bus} refused hits in the last minute: ${this.last.reason}` : undefined;
  }
}
