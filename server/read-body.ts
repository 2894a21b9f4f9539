/**
 * A request's body as text, at most `maxBytes`: the intake's beacons and log
 * batches, and the dashboard's JSON bodies (json-body.ts). Served by Node
 * (@hono/node-server puts the IncomingMessage in `c.env`), the bytes are
 * read straight from it: Hono's body-limit middleware and
 * `c.req.text()` build a web-standard Request, a ReadableStream and an
 * AbortSignal around every beacon, about a fifth of the collector's CPU
 * (docs/benchmarks.md, intake). Elsewhere (tests' `app.request`) the web
 * Request's stream is read with the same limit. A declared length over the
 * limit is refused before a byte is read; an undeclared one as soon as the
 * bytes pass it.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { httpError } from '../common/http-error.ts';

/** `tooLarge` makes the error thrown for a body over the limit (the route's own 413). */
export async function readBody(c: Context, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.on === 'function') return readNodeBody(incoming, maxBytes, tooLarge);
  if (Number(c.req.header('content-length') ?? NaN) > maxBytes) throw tooLarge();
  return Buffer.concat(await fromWeb(c.req.raw, maxBytes, tooLarge)).toString('utf8');
}

/** The body of Node's own request (Hono's routes served by Node, and the routes of server/direct-route.ts). */
export async function readNodeBody(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (Number(incoming.headers['content-length'] ?? NaN) > maxBytes) throw tooLarge();
  const chunks = await fromNode(incoming, maxBytes, tooLarge);
  // One chunk (a beacon, nearly always) needs no copy into a new buffer.
  return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}

function fromNode(incoming: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      incoming.off('data', onData).off('end', onEnd).off('error', done).off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // Stop taking bytes; the 413 is answered and Node closes the connection with the rest unread.
      if (size > maxBytes) done(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onAborted = () => done(httpError(400, 'incomplete_body', 'the connection closed before the whole body came'));
    incoming.on('data', onData).on('end', onEnd).on('error', done).on('aborted', onAborted);
    // A body already read to its end (by an earlier reader) has nothing more to give.
    if (incoming.readableEnded) done();
  });
}

async function fromWeb(request: Request, maxBytes: number, tooLarge: () => Error): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  if (!request.body) return chunks;
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
}
