/**
 * Password checks (scrypt: memory-hard, ~50 ms of a core) run `concurrent` at
 * a time with a short line; more are refused at once (429 busy). scrypt runs
 * on Node's small thread pool, which the bus also needs for its disk syncs: a
 * flood of checks used to hold every beacon's 202 for seconds.
 *
 * Checks of the admin networks wait in a line of their own that is served
 * first: a flood of strangers' guesses fills its line, never the owner's.
 */
import { httpError } from '../../common/http-error.ts';

export class CheckQueue {
  private running = 0;
  private readonly first: (() => void)[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrent: number,
    private readonly queued: number,
  ) {}

  async run<T>(check: () => Promise<T>, priority = false): Promise<T> {
    if (this.running >= this.concurrent) {
      const line = priority ? this.first : this.waiting;
      if (line.length >= this.queued)
        throw httpError(429, 'busy', 'too many logins at once; try again in a second', { 'retry-after': '1' });
      await new Promise<void>((resolve) => line.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await check();
    } finally {
      // The slot passes straight to the next in line (the owner's first), or is given back.
      const next = this.first.shift() ?? this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
