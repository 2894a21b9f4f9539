/**
 * One retry vocabulary (common/errors.ts isRetriable): the error says whether a retry can help,
 * from where it was made, and every loop that decides on a retry reads it — the delivery loop of
 * the bus consumers and `scalehouse tail`, the alert webhooks. Real errors, real sockets on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from 'kafkajs';
import { BusUnavailableError, ScalehouseError, isRetriable } from '../../common/errors.ts';
import { deliver } from '../../bus/deliver.ts';
import { FailingBatches } from '../../bus/failing-batches.ts';
import { notify, parseWebhooks } from '../../alerts/notify.ts';
import type { AlertRecord } from '../../alerts/alert-log.ts';
import { within } from '../helpers/wait-for.ts';

/** A port on 127.0.0.1 nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('isRetriable', () => {
  it("reads the error's own word, a transient system error, or its cause", async () => {
    const refused = await errorOf(fetch(`http://127.0.0.1:${await closedPort()}/`)); // TypeError: fetch failed, cause ECONNREFUSED
    const silent = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const timedOut = await errorOf(
      fetch(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, { signal: AbortSignal.timeout(50) }),
    );
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
    const missingFile = await errorOf(readFile('/nonexistent/scalehouse'));
    expect([
      isRetriable(new ScalehouseError('made retriable', { retriable: true })),
      isRetriable(new ScalehouseError('a refusal')),
      isRetriable(new BusUnavailableError('Kafka away')),
      isRetriable(new KafkaJSConnectionError('broker away')),
      isRetriable(new KafkaJSNonRetriableError('never')),
      isRetriable(refused),
      isRetriable(timedOut),
      isRetriable(new ScalehouseError('wrapped', { cause: refused })), // its own word wins over the cause
      isRetriable(new Error('outer', { cause: refused })),
      isRetriable(missingFile),
      isRetriable(new TypeError('x is not a function')),
      isRetriable('a string'),
      isRetriable(undefined),
    ]).toEqual([true, false, true, true, false, true, true, false, true, false, false, false, false]);
  });
});

describe('deciding on a retry', () => {
  it('tells the delivery loop whether a retry can cure the failure, and /readyz says so for a batch that cannot', async () => {
    const seen: [string, boolean][] = [];
    const failing = new FailingBatches(() => 0);
    let attempts = 0;
    const done = await deliver({
      handle: async () => {
        attempts++;
        if (attempts === 1) throw new ScalehouseError('ClickHouse away', { retriable: true });
        if (attempts === 2) throw new TypeError('cannot read properties of undefined');
      },
      commit: async () => undefined,
      keepTrying: () => true,
      onFailure: (err, _attempt, retriable) => {
        seen.push([(err as Error).message, retriable]);
        failing.failed('local', 'local:x:0-9', err, retriable);
      },
    });
    expect([done, seen]).toEqual([
      true,
      [
        ['ClickHouse away', true],
        ['cannot read properties of undefined', false],
      ],
    ]);
    expect(failing.problems()).toEqual([
      'batch local:x:0-9 not loaded since 1970-01-01T00:00:00.000Z (0 s, 2 attempts; the hits behind it wait), last error (a retry alone will not cure it): cannot read properties of undefined',
    ]);
  });

  describe('alert webhooks', () => {
    const alert = {
      key: 'traffic_drop|s|',
      rule: 'traffic_drop',
      site: 's',
      subject: '',
      state: 'firing',
      value: 1,
      expected: 2,
      summary: 'drop',
      url: '',
    } as unknown as AlertRecord;
    const noWait = async () => undefined;
    const answering = async (status: number): Promise<{ server: Server; url: string; hits: () => number }> => {
      let n = 0;
      const server = createServer((req, res) => {
        n++;
        req.resume();
        req.on('end', () => res.writeHead(status).end());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, hits: () => n };
    };

    it.each([
      ['a 400: the webhook refuses the document, once is enough', 400, 1],
      ['a 429: later', 429, 3],
      ['a 503: later', 503, 3],
    ])('%s', async (_name, status, tries) => {
      const hook = await answering(status);
      try {
        expect(await within('notify', notify(parseWebhooks([hook.url]), alert, 0, noWait))).toBe(false);
        expect(hook.hits()).toBe(tries);
      } finally {
        await new Promise<void>((r) => hook.server.close(() => r()));
      }
    });

    it('tries a webhook that refuses connections again, and one with an address no retry makes valid once', async () => {
      const sleeps: number[] = [];
      const sleepCounted = async (ms: number) => {
        sleeps.push(ms);
      };
      expect(await notify(parseWebhooks([`http://127.0.0.1:${await closedPort()}/hook`]), alert, 0, sleepCounted)).toBe(false);
      expect(sleeps.length).toBe(2); // three attempts
      sleeps.length = 0;
      // A URL fetch refuses outright (credentials in it: TypeError, no system code): not retried.
      expect(await notify(parseWebhooks(['http://user:pw@127.0.0.1:1/hook']), alert, 0, sleepCounted)).toBe(false);
      expect(sleeps.length).toBe(0);
    });
  });
});
