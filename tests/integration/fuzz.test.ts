/**
 * Garbage in: 100,000 random and garbled syslog frames into the real syslog
 * receiver, and 100,000 garbled access-log lines through the pipeline. Nothing
 * crashes, and every input is accounted for with a reason.
 */
import { describe, expect, it } from 'vitest';
import { testSyslogServer } from '../helpers/syslog-server.ts';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { LocalBus } from '../../bus/local/local-bus.ts';
import { processBatch } from '../../processor/batch/process-batch.ts';
import { DEAD_LETTER_REASONS, DROP_REASONS } from '../../processor/result.ts';
import { logRecord } from '../helpers/hits.ts';
import { waitFor, within } from '../helpers/wait-for.ts';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers/fixtures.ts';
import { emptySessionState } from '../../processor/batch/sessionize.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A seeded generator, so a failure can be reproduced.
function rng(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const rand = rng(42);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
const REAL = readFileSync(fixture('logs/secrepo-2021.log'), 'utf8').split('\n').filter(Boolean);

/** A log line damaged in one of several ways (or left whole). */
function garble(line: string): string {
  switch (Math.floor(rand() * 8)) {
    case 0:
      return line.slice(0, Math.floor(rand() * line.length)); // truncated
    case 1:
      return line.replace(/"/g, () => (rand() < 0.3 ? '' : '"')); // quotes lost
    case 2:
      return randomBytes(1 + Math.floor(rand() * 200)).toString('latin1'); // noise
    case 3:
      return line.split('').reverse().join('');
    case 4:
      return `{"msec":"${rand() * 2e9}","status":"${Math.floor(rand() * 1000)}","request_uri":"/${rand()}","http_user_agent":"${pick(['', 'Mozilla/5.0', 'curl/8'])}"`.slice(
        0,
        20 + Math.floor(rand() * 150),
      );
    case 5:
      return line.replace(/\[[^\]]+\]/, `[${randomBytes(8).toString('hex')}]`); // bad time
    case 6:
      return `${line}${'x'.repeat(Math.floor(rand() * 2000))}`;
    default:
      return line;
  }
}

describe('fuzz', () => {
  it('the syslog receiver takes 100,000 garbled frames over TCP and counts every one', async () => {
    const bus = await LocalBus.open({ dir: tempDir('fuzz-bus'), maxBytes: 2 * 1024 ** 3 });
    const server = await testSyslogServer(bus, { maxBytes: 2048 });
    let valid = 0;
    const frames: Buffer[] = [];
    for (let i = 0; i < 100_000; i++) {
      let body: Buffer;
      switch (Math.floor(rand() * 6)) {
        case 0:
          body = Buffer.from(`<190>Nov 28 10:00:00 web1 nginx: ${pick(REAL)}`);
          if (body.length <= 2048) valid++;
          break;
        case 1:
          body = randomBytes(1 + Math.floor(rand() * 300));
          if (body[0] === 0x3c) body[0] = 0x21;
          break; // never a "<PRI>"
        case 2:
          body = Buffer.from(`<${Math.floor(rand() * 999)}>${randomBytes(20).toString('latin1')}`);
          if (/^<\d+>(1 |[A-Z][a-z]{2} )/.test(body.toString('latin1'))) body = Buffer.from('x');
          break;
        // Bytes that are not UTF-8: read as U+FFFD, so the message is a hit like any other (common/clean-text.ts).
        case 3:
          body = Buffer.concat([Buffer.from('<190>Nov 28 10:00:00 web1 nginx: '), Buffer.from([0xc3, 0x28, 0xff])]);
          valid++;
          break;
        case 4:
          body = Buffer.from(`<190>Nov 28 10:00:00 web1 unmapped: ${pick(REAL)}`);
          break;
        default:
          body = Buffer.alloc(3000, 0x61); // oversized
      }
      frames.push(Buffer.from(`${body.length} `), body);
    }
    const socket = connect(server.port, '127.0.0.1');
    await within('the syslog TCP connection', new Promise<void>((r) => socket.once('connect', () => r())));
    for (let i = 0; i < frames.length; i += 2000) {
      if (!socket.write(Buffer.concat(frames.slice(i, i + 2000))))
        await within('the socket to drain', new Promise((r) => socket.once('drain', r)));
    }
    socket.end();
    await waitFor('all frames counted', async () => (server.counters.received === 100_000 ? true : undefined), 60_000);
    await waitFor(`all accepted hits on the bus (${valid} valid)`, async () =>
      server.counters.accepted === valid ? true : undefined,
    ).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(server.counters)}`);
    });
    const dropped = Object.values(server.counters.dropped).reduce((a, b) => a + (b ?? 0), 0);
    expect(server.counters.accepted + dropped).toBe(100_000);
    expect(Object.keys(server.counters.dropped).sort()).toEqual(['not_syslog', 'oversized', 'unknown_site']);
    expect(bus.stats().lag).toBe(valid);

    // UDP too: garbage datagrams are counted, and the receiver still answers afterwards.
    const udp = createSocket('udp4');
    const before = server.counters.received;
    for (let i = 0; i < 2000; i++)
      udp.send(i % 2 ? randomBytes(1 + (i % 500)) : Buffer.from(`<190>Nov 28 10:00:00 h nginx: ${pick(REAL)}`), server.port, '127.0.0.1');
    await waitFor('UDP datagrams counted', async () => (server.counters.received - before === 2000 ? true : undefined), 30_000);
    udp.close();
    await server.close();
    await bus.close();
  });

  it('the pipeline takes 100,000 garbled log lines and accounts for each with a reason', () => {
    const records = Array.from({ length: 100_000 }, (_, i) => logRecord(garble(pick(REAL)), i, { position: `fuzz@${i}` }));
    // A few records that are not even hits.
    records.push({ value: '{"v":1,"kind":"beacon","site":"x","receivedAt":0,"client":"","payload":null}', position: 'x', offset: 100_000 });
    records.push({ value: randomBytes(50).toString('latin1'), position: 'y', offset: 100_001 });
    const out = processBatch(records, emptySessionState(), {
      saltFor: () => Buffer.alloc(32),
      sessionTimeoutMs: 1_800_000,
      now: Date.now(),
      stream: 'fuzz',
    });
    const total = out.stats.reduce((n, s) => n + s.count, 0);
    expect(total).toBe(records.length);
    expect(out.events.length + out.origins.botMinutes.flat().length + out.deadLetters.length).toBeLessThanOrEqual(records.length);
    for (const s of out.stats) {
      if (s.outcome === 'dead_letter') expect(DEAD_LETTER_REASONS).toContain(s.reason);
      if (s.outcome === 'dropped') expect(DROP_REASONS).toContain(s.reason);
    }
    const reasons = new Set(out.deadLetters.map((d) => d.reason));
    expect([...reasons].sort()).toEqual(
      expect.arrayContaining(['invalid_hit', 'invalid_json_line', 'invalid_timestamp', 'truncated_line', 'unrecognised_line']),
    );
    expect(out.events.length).toBeGreaterThan(1000);
    // No dotted quad stands alone in what is kept (a run like 1.2.3.4.5 is a version number, not an address).
    for (const d of out.deadLetters.slice(0, 2000)) expect(d.raw).not.toMatch(/(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d.])/);
  });
});
