/**
 * A Server-Sent Events client for tests: a real fetch of the stream, its
 * events parsed as they come (`event:` and JSON `data:`), when the server
 * ended it, and `close()` to hang up as a browser tab does. A response that
 * is not a stream (a refusal) keeps its body unread.
 */
import { waitFor } from './wait-for.ts';

export interface SseEvent {
  event: string;
  data: any;
}

export interface SseStream {
  res: Response;
  events: SseEvent[];
  /** Resolves when the response body ends or breaks (the server closed it, or `close()` was called). */
  ended: Promise<void>;
  /** The event at index `after` (by default the next one), once it came; fails after 10 s. */
  next(after?: number): Promise<SseEvent>;
  close(): Promise<void>;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const hangUp = new AbortController();
  const res = await fetch(url, { headers, signal: hangUp.signal });
  const events: SseEvent[] = [];
  let buffer = '';
  const ended = (async () => {
    // A refusal (JSON) is left for the caller to read.
    if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          block
            .split('\n')
            .filter((l) => l.startsWith(`${name}: `))
            .map((l) => l.slice(name.length + 2))
            .join('\n');
        events.push({ event: field('event'), data: JSON.parse(field('data')) });
      }
    }
  })();
  const next = (after = events.length) => waitFor('the next event', async () => events[after] ?? undefined, 10_000);
  return {
    res,
    events,
    ended,
    next,
    close: async () => {
      hangUp.abort();
      await ended;
    },
  };
}
