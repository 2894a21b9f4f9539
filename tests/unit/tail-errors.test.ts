/**
 * `scalehouse tail` and its errors, on real files: only "not found" counts as a missing file
 * (follow-file.ts), and a sink's failure is retried only when a retry can cure it (isRetriable).
 */
import { describe, expect, it, vi } from 'vitest';
import { appendFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FileFollower } from '../../collector/tail/follow-file.ts';
import { runTail, type TailSink } from '../../collector/tail/run-tail.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { within } from '../helpers/wait-for.ts';

describe('following a file that is not there', () => {
  it.each([
    ['nothing at the path (ENOENT)', (dir: string) => join(dir, 'access.log')],
    [
      'a file where a folder should be (ENOTDIR)',
      (dir: string) => {
        writeFileSync(join(dir, 'file'), '');
        return join(dir, 'file', 'access.log');
      },
    ],
  ])('%s: says it does not exist', async (_name, pathIn) => {
    const path = pathIn(tempDir('tail-missing'));
    await expect(new FileFollower(path, 65536).open(undefined)).rejects.toThrow(`${path} does not exist`);
  });

  it('a path it cannot look at (a link loop, ELOOP) is reported as what it is, not as missing', async () => {
    const dir = tempDir('tail-loop');
    const path = join(dir, 'access.log');
    symlinkSync(join(dir, 'other.log'), path);
    symlinkSync(path, join(dir, 'other.log'));
    await expect(new FileFollower(path, 65536).open(undefined)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('keeps following the open file when the path turns into something it cannot look at, and says so once', async () => {
    const dir = tempDir('tail-loop-later');
    const path = join(dir, 'access.log');
    writeFileSync(path, 'one\n');
    const follower = new FileFollower(path, 65536);
    await follower.open(undefined);
    const first = await follower.read();
    expect(first!.lines.map((l) => l.text)).toEqual(['one']);
    await follower.commit(first!);
    // The file moved away and a link loop in its place: not "missing" (no rotation to follow), not a
    // reason to stop either — the open file is still drained, and the problem is logged.
    renameSync(path, `${path}.1`);
    symlinkSync(path, path);
    const stderr = vi.spyOn(process.stderr, 'write'); // watched, still written
    try {
      expect(await follower.read()).toBeUndefined();
      expect(await follower.read()).toBeUndefined();
      const said = stderr.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('cannot open the path'));
      expect(said.length).toBe(1);
      expect(said[0]).toContain('ELOOP');
    } finally {
      stderr.mockRestore();
      await follower.close();
    }
  });
  it('keeps following the open file when the new file at the path cannot be opened (stat works, open does not), and says so once', async () => {
    const dir = tempDir('tail-unopenable');
    const path = join(dir, 'access.log');
    writeFileSync(path, 'one\n');
    const follower = new FileFollower(path, 65536);
    await follower.open(undefined);
    const first = await follower.read();
    await follower.commit(first!);
    // As logrotate's `create` leaves a file not yet readable to us: another file at the path, which
    // stat sees and open refuses. A Unix socket is such a file for root too (open: ENXIO).
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'two\n');
    const socket = createServer();
    await new Promise<void>((r) => socket.listen(path, r));
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const drained = await follower.read();
      expect(drained!.lines.map((l) => l.text)).toEqual(['two']);
      await follower.commit(drained!);
      expect(await follower.read()).toBeUndefined();
      expect(await follower.read()).toBeUndefined();
      const said = stderr.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('cannot open the path'));
      expect(said.length).toBe(1);
      expect(said[0]).toContain('ENXIO');
    } finally {
      stderr.mockRestore();
      await new Promise((r) => socket.close(r));
      await follower.close();
    }
  });
});

describe('a sink that fails', () => {
  const start = (sink: TailSink) => {
    const dir = tempDir('tail-sink');
    const path = join(dir, 'access.log');
    writeFileSync(path, 'a line\n');
    const stop = new AbortController();
    return {
      stop,
      done: runTail({
        path,
        site: 'example.com',
        stateDir: join(dir, 'state'),
        sink,
        maxLineBytes: 65536,
        pollMs: 20,
        signal: stop.signal,
      }),
    };
  };

  it('is tried again while the error says a retry can cure it', async () => {
    let calls = 0;
    const { stop, done } = start({
      exactlyOnce: false,
      send: async () => {
        if (++calls < 3) throw new ScalehouseError('collector away', { retriable: true });
        stop.abort();
      },
    });
    await within('tail to stop', done);
    expect(calls).toBe(3);
  });

  it('stops tail on an error no retry cures — a bug is not waited out', async () => {
    let calls = 0;
    const { stop, done } = start({
      exactlyOnce: false,
      send: async () => {
        calls++;
        throw new TypeError('cannot read properties of undefined');
      },
    });
    try {
      await expect(within('tail to stop', done, 10_000)).rejects.toThrow('cannot read properties of undefined');
      expect(calls).toBe(1);
    } finally {
      stop.abort();
    }
  });
});
