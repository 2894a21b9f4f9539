/**
 * Syslog over TCP comes in two framings (RFC 6587): octet counting,
 * "LEN SP MSG" (§3.4.1), and non-transparent framing, messages ended by LF
 * (§3.4.2). A frame starting with a digit is octet-counted, as the RFC says
 * a receiver may assume. Frames longer than the limit are skipped whole and
 * reported, never buffered without bound.
 */
export type Frame = { ok: true; bytes: Buffer } | { ok: false; reason: 'oversized' | 'bad_framing'; detail: string };

export class SyslogTcpDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private skipping = 0; // bytes of an oversized octet-counted frame still to throw away
  private discardToNewline = false; // inside an oversized LF-framed message

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, this.buf.length);
        this.skipping -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipping > 0) break;
      }
      if (this.discardToNewline) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          this.buf = Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(nl + 1);
        this.discardToNewline = false;
      }
      if (this.buf.length === 0) break;
      const c = this.buf[0]!;
      if (c >= 0x31 && c <= 0x39) {
        const sp = this.buf.indexOf(0x20);
        if (sp < 0) {
          if (this.buf.length > 10) {
            frames.push({ ok: false, reason: 'bad_framing', detail: 'octet count longer than 10 digits' });
            this.resync();
            continue;
          }
          break;
        }
        const lenText = this.buf.subarray(0, sp).toString('latin1');
        if (!/^[1-9]\d{0,9}$/.test(lenText)) {
          frames.push({ ok: false, reason: 'bad_framing', detail: `bad octet count "${lenText.slice(0, 12)}"` });
          this.resync();
          continue;
        }
        const len = Number(lenText);
        if (len > this.maxBytes) {
          frames.push({ ok: false, reason: 'oversized', detail: `frame of ${len} bytes, limit ${this.maxBytes}` });
          this.buf = this.buf.subarray(sp + 1);
          this.skipping = len;
          continue;
        }
        if (this.buf.length < sp + 1 + len) break;
        frames.push({ ok: true, bytes: this.buf.subarray(sp + 1, sp + 1 + len) });
        this.buf = this.buf.subarray(sp + 1 + len);
        continue;
      }
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > this.maxBytes) {
          frames.push({ ok: false, reason: 'oversized', detail: `line longer than ${this.maxBytes} bytes` });
          this.buf = Buffer.alloc(0);
          this.discardToNewline = true;
        }
        break;
      }
      if (nl > this.maxBytes) frames.push({ ok: false, reason: 'oversized', detail: `line of ${nl} bytes, limit ${this.maxBytes}` });
      else if (nl > 0 && !(nl === 1 && this.buf[0] === 0x0d))
        frames.push({ ok: true, bytes: this.buf.subarray(0, this.buf[nl - 1] === 0x0d ? nl - 1 : nl) });
      this.buf = this.buf.subarray(nl + 1);
    }
    // Keep our own copy of a partial frame, not a view pinning the socket's chunk.
    if (this.buf.length && this.buf.byteOffset !== 0) this.buf = Buffer.from(this.buf);
    return frames;
  }

  /** After a framing error: drop bytes up to the next newline and carry on from there. */
  private resync(): void {
    const nl = this.buf.indexOf(0x0a);
    if (nl < 0) {
      this.buf = Buffer.alloc(0);
      this.discardToNewline = true;
    } else this.buf = this.buf.subarray(nl + 1);
  }
}
