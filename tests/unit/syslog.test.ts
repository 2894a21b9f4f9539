/** Syslog parsing (RFC 3164 as nginx sends it, RFC 5424) and TCP framing (RFC 6587). */
import { describe, expect, it } from 'vitest';
import { testSyslogServer } from '../helpers/syslog-server.ts';
import { parseSyslog } from '../../collector/syslog/parse-syslog.ts';
import { SyslogTcpDecoder } from '../../collector/syslog/tcp-framing.ts';
import { syslogToHit } from '../../collector/syslog/syslog-to-hit.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const LINE = '192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"';

describe('parseSyslog', () => {
  it.each([
    [
      'nginx default (local7.info, hostname, tag)',
      `<190>Nov 28 10:00:00 web1 nginx: ${LINE}`,
      { facility: 23, severity: 6, hostname: 'web1', tag: 'nginx', msg: LINE },
    ],
    ['nginx nohostname', `<190>Nov  8 10:00:00 shop_front: ${LINE}`, { hostname: '', tag: 'shop_front', msg: LINE }],
    ['RFC 3164 with a pid', `<13>Nov 28 10:00:00 host app[123]: hello`, { facility: 1, severity: 5, tag: 'app', msg: 'hello' }],
    [
      'RFC 5424 as logger sends it',
      `<13>1 2026-11-28T10:00:00.123+00:00 host nginx 42 - [timeQuality tzKnown="1" isSynced="0"] ${LINE}`,
      { hostname: 'host', tag: 'nginx', msg: LINE },
    ],
    [
      'RFC 5424 with nil values and a BOM',
      `<165>1 - - - - - - \uFEFF${LINE}`,
      { facility: 20, severity: 5, hostname: '', tag: '', msg: LINE },
    ],
    [
      'RFC 5424 structured data with an escaped ]',
      `<165>1 2026-11-28T10:00:00Z h app - ID47 [x a="b\\]c"][y z="1"] msg`,
      { tag: 'app', msg: 'msg' },
    ],
  ])('%s', (_name, text, want) => {
    const r = parseSyslog(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message).toMatchObject(want);
  });

  it.each([
    ['no PRI', LINE],
    ['PRI out of range', '<192>Nov 28 10:00:00 h t: x'],
    ['no timestamp', '<13>hello world'],
    ['5424 header cut short', '<13>1 2026-11-28T10:00:00Z host'],
    ['5424 structured data unclosed', '<13>1 - - - - - [x a="b"'],
  ])('refuses %s', (_name, text) => {
    expect(parseSyslog(text)).toMatchObject({ ok: false, reason: 'not_syslog' });
  });
});

describe('RFC 6587 TCP framing', () => {
  const frames = (d: SyslogTcpDecoder, ...chunks: string[]) =>
    chunks.flatMap((c) => d.push(Buffer.from(c))).map((f) => (f.ok ? f.bytes.toString() : `!${f.reason}`));

  it('reads octet-counted frames split anywhere, and newline-framed ones, mixed', () => {
    const d = new SyslogTcpDecoder(100);
    expect(frames(d, '5 hel', 'lo3 abc<13>Nov 28 10:00:00 h t: x\r', '\n', '11 a\nb c d e f')).toEqual([
      'hello',
      'abc',
      '<13>Nov 28 10:00:00 h t: x',
      'a\nb c d e f',
    ]);
  });

  it('skips oversized frames whole, and recovers from bad counts', () => {
    const d = new SyslogTcpDecoder(10);
    expect(frames(d, '20 aaaaaaaaaaaaaaaaaaaa2 ok')).toEqual(['!oversized', 'ok']);
    expect(frames(d, 'x'.repeat(30), 'yyy\nnext\n')).toEqual(['!oversized', 'next']);
    expect(frames(d, '12345678901 x\n<13>after\n')).toEqual(['!bad_framing', '<13>after']);
    expect(frames(d, '9x bad\n3 end')).toEqual(['!bad_framing', 'end']);
  });
});

describe('syslog to hit', () => {
  const rules = { siteByTag: { nginx: 'example.com' }, sites: ['example.com', 'shop.example.com'] as string[] };
  const hit = (text: string | Buffer) => syslogToHit(Buffer.isBuffer(text) ? text : Buffer.from(text), '192.0.2.9', rules, 1000);

  it("takes the site from the tag, else from the JSON line's host", () => {
    expect(hit(`<190>Nov 28 10:00:00 web1 nginx: ${LINE}`)).toEqual({
      hit: { v: 1, kind: 'log', site: 'example.com', receivedAt: 1000, client: '192.0.2.9', headers: {}, line: LINE },
    });
    expect(hit('<190>Nov 28 10:00:00 web1 other: {"host":"www.shop.example.com","status":"200"}')).toMatchObject({
      hit: { site: 'shop.example.com' },
    });
  });

  it('beyond loopback, takes sites only from SYSLOG_SITES: a forged datagram cannot name its own', () => {
    const open = { ...rules, hostFromLine: false };
    const line = '<190>Nov 28 10:00:00 web1 other: {"host":"shop.example.com","status":"200"}';
    expect(syslogToHit(Buffer.from(line), '192.0.2.9', open, 1000)).toMatchObject({ drop: 'unknown_site' });
    expect(syslogToHit(Buffer.from(`<190>Nov 28 10:00:00 web1 nginx: ${LINE}`), '192.0.2.9', open, 1000)).toMatchObject({
      hit: { site: 'example.com' },
    });
  });

  it.each([
    ['an unmapped tag without host', `<190>Nov 28 10:00:00 web1 other: ${LINE}`, 'unknown_site'],
    ['a host that is not a configured site', '<190>Nov 28 10:00:00 web1 other: {"host":"evil.test"}', 'unknown_site'],
    ['an empty message', '<190>Nov 28 10:00:00 web1 nginx:   ', 'empty_message'],
    ['not syslog', 'GET / HTTP/1.1', 'not_syslog'],
  ])('drops %s', (_name, text, reason) => {
    expect(hit(text as string)).toMatchObject({ drop: reason });
  });
});

describe('syslog receiver access', () => {
  it('drops datagrams and connections from senders not allowed', async () => {
    const { LocalBus } = await import('../../bus/local/local-bus.ts');
    const { createSocket } = await import('node:dgram');
    const { connect } = await import('node:net');
    const bus = await LocalBus.open({ dir: tempDir('syslog-allow') });
    const server = await testSyslogServer(bus, { allow: () => false });
    const udp = createSocket('udp4');
    udp.send(`<190>Nov 28 10:00:00 h nginx: ${LINE}`, server.port, '127.0.0.1');
    const tcp = connect(server.port, '127.0.0.1');
    tcp.on('error', () => undefined);
    tcp.write(`<190>Nov 28 10:00:00 h nginx: ${LINE}\n`);
    const deadline = Date.now() + 5000;
    while (server.counters.received < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.counters).toEqual({ received: 2, accepted: 0, dropped: { not_allowed: 2 } });
    udp.close();
    tcp.destroy();
    await server.close();
    await bus.close();
  });
});

describe('syslog over TLS (RFC 5425)', () => {
  it('takes octet-counted frames over TLS, and with a CA only from senders holding a certificate it signed', async () => {
    const { LocalBus } = await import('../../bus/local/local-bus.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const { connect } = await import('node:tls');
    // Real certificates, made here with openssl: a CA, the receiver's (for 127.0.0.1) and a sender's, both signed by it.
    const dir = tempDir('syslog-tls');
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test ca');
    for (const name of ['server', 'sender']) {
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-copy_extensions',
        'copy',
      );
    }
    const file = (f: string) => readFileSync(join(dir, f));
    const bus = await LocalBus.open({ dir: join(dir, 'bus') });
    const server = await testSyslogServer(bus, {
      allow: () => true,
      tls: { port: 0, key: file('server.key'), cert: file('server.pem'), ca: file('ca.pem') },
    });
    const message = `<190>Nov 28 10:00:00 h nginx: ${LINE}`;
    const send = (withCert: boolean) =>
      new Promise<'sent' | 'refused'>((resolve) => {
        const socket = connect(
          {
            host: '127.0.0.1',
            port: server.tlsPort!,
            ca: file('ca.pem'),
            ...(withCert ? { key: file('sender.key'), cert: file('sender.pem') } : {}),
          },
          () => {
            socket.write(`${Buffer.byteLength(message)} ${message}`); // RFC 5425 framing: MSG-LEN SP SYSLOG-MSG
            setTimeout(() => {
              socket.end();
              resolve('sent');
            }, 200);
          },
        );
        socket.on('error', () => resolve('refused'));
        socket.on('close', () => resolve('refused'));
      });
    expect(await send(true)).toBe('sent');
    const deadline = Date.now() + 5000;
    while (server.counters.accepted < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.counters.accepted).toBe(1);
    // No client certificate: the handshake fails, nothing is taken.
    await send(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.counters.accepted).toBe(1);
    expect(server.counters.dropped.not_allowed).toBeGreaterThanOrEqual(1);
    await server.close();
    await bus.close();
  });
});
