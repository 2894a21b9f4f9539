/**
 * The Hit: what the collector puts on the bus (docs/architecture.md, The path of a hit).
 * A small versioned envelope; the collector checks shape and size only and
 * never parses log lines — that is the processor's job.
 */
import { cleanJson, cleanText } from './clean-text.ts';

export const HIT_VERSION = 1;

export interface HitHeaders {
  userAgent?: string;
  acceptLanguage?: string;
  /** Sec-GPC: 1 or DNT: 1 — the visitor asked not to be tracked. */
  optOut?: boolean;
  /** ISO country code of the visitor's address, looked up by the collector before the address became a pseudonym. */
  country?: string;
}

interface HitBase {
  v: typeof HIT_VERSION;
  site: string;
  /** When the collector received it, ms since the epoch. */
  receivedAt: number;
  /** Client address as seen after trusted-proxy handling. Never stored in ClickHouse. */
  client: string;
  headers: HitHeaders;
}

/** One raw access-log line (combined, or nginx JSON with escape=json). */
export interface LogHit extends HitBase {
  kind: 'log';
  line: string;
}

/** One beacon payload as the browser sent it (validated as a JSON object only). */
export interface BeaconHit extends HitBase {
  kind: 'beacon';
  payload: Record<string, unknown>;
}

export type Hit = LogHit | BeaconHit;

/**
 * The one way a log line becomes a Hit, for every source (HTTP batches,
 * syslog, tail, replay). `client` is the sender's address where there is one
 * (a shipper, a syslog peer); the visitor's own address is in the line.
 * The line is made valid, printable text here, once for every source
 * (common/clean-text.ts); what its JSON escapes or \xHH escapes decode to is
 * cleaned where they are decoded, in the parse step.
 */
export function logHit(site: string, line: string, from: { receivedAt: number; client?: string }): LogHit {
  return { v: HIT_VERSION, kind: 'log', site, receivedAt: from.receivedAt, client: from.client ?? '', headers: {}, line: cleanText(line) };
}

/**
 * A beacon payload as a Hit: `client` is the browser's address, `headers`
 * what it sent about itself. Every string of the payload (props' keys too)
 * and of the headers is made valid, printable text here: JSON.parse lets a
 * "\ud800" escape through as a lone surrogate, which ClickHouse refuses.
 */
export function beaconHit(
  site: string,
  payload: Record<string, unknown>,
  from: { receivedAt: number; client: string; headers: HitHeaders },
): BeaconHit {
  return {
    v: HIT_VERSION,
    kind: 'beacon',
    site,
    receivedAt: from.receivedAt,
    client: from.client,
    headers: cleanJson(from.headers),
    payload: cleanJson(payload),
  };
}

/** The bytes a Hit travels as on every bus and into every batch handler; `decodeHit` reads them back. */
export function encodeHit(hit: Hit): string {
  return JSON.stringify(hit);
}

/** Returns the hit, or a reason why the bytes are not a Hit of a version we know. */
export function decodeHit(json: string): Hit | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { invalid: 'hit is not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { invalid: 'hit is not an object' };
  const h = value as {
    v?: unknown;
    kind?: unknown;
    site?: unknown;
    receivedAt?: unknown;
    client?: unknown;
    headers?: unknown;
    line?: unknown;
    payload?: unknown;
  };
  if (h.v !== HIT_VERSION) return { invalid: `unknown hit version ${String(h.v)}` };
  if (typeof h.site !== 'string' || typeof h.client !== 'string') return { invalid: 'hit lacks site or client' };
  // A time the Date functions can handle (years 1970 to 2299), or every later step would throw.
  if (typeof h.receivedAt !== 'number' || !(h.receivedAt >= 0 && h.receivedAt < 10_413_792_000_000))
    return { invalid: 'hit has no valid receivedAt' };
  if (h.headers === undefined || h.headers === null) h.headers = {};
  if (typeof h.headers !== 'object' || Array.isArray(h.headers)) return { invalid: 'hit headers are not an object' };
  if (h.kind === 'log' && typeof h.line === 'string') return h as unknown as LogHit;
  if (h.kind === 'beacon' && typeof h.payload === 'object' && h.payload !== null && !Array.isArray(h.payload))
    return h as unknown as BeaconHit;
  return { invalid: `unknown hit kind ${String(h.kind)}` };
}
