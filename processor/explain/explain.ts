/**
 * `scalehouse explain`: what the pipeline makes of each input line — the
 * same steps, sessions and twins as ingestion (batch/process-batch.ts), in
 * batches of the same kind, but nothing is written: salts live in memory for
 * the run (visitor and session ids mean something within one run only), and
 * host names are learned for the run.
 *
 * A line is an access-log line (combined, common, nginx JSON, a shipper's
 * envelope), or a beacon payload as JSON with a "url" (and, to explain it as a
 * given browser would be seen, "user_agent" and "ip").
 */
import { createHmac, randomBytes } from 'node:crypto';
import { beaconHit, encodeHit, logHit, type Hit } from '../../common/hit.ts';
import type { BusRecord } from '../../bus/bus.ts';
import type { CountryOf } from '../../common/country.ts';
import type { Event } from '../event.ts';
import { sessionizeRecords } from '../batch/process-batch.ts';
import type { RecordOutcome } from '../batch/run-records.ts';
import { emptySessionState } from '../batch/sessionize.ts';
import type { LogLine } from '../replay/log-lines.ts';
import type { SiteHosts } from '../state/site-hosts.ts';

export interface ExplainOptions {
  site: string;
  hosts: SiteHosts;
  countryOf?: CountryOf;
  sessionTimeoutMs: number;
  sessionReorderMs: number;
  /** Lines per batch, as the bus would deliver them. */
  batchLines?: number;
}

/** A beacon payload line: a JSON object with a url, and none of a log line's or shipper's fields. */
function hitOf(site: string, line: string, receivedAt: number): Hit {
  if (line.startsWith('{')) {
    try {
      const p = JSON.parse(line) as Record<string, unknown>;
      if (typeof p.url === 'string' && !('remote_addr' in p) && !('message' in p) && !('log' in p)) {
        const { user_agent: ua, ip, ...payload } = p;
        return beaconHit(typeof p.site === 'string' ? p.site : site, payload, {
          receivedAt,
          client: typeof ip === 'string' ? ip : '',
          headers: { userAgent: typeof ua === 'string' ? ua : '' },
        });
      }
    } catch {
      // not JSON: the pipeline says what it is
    }
  }
  return logHit(site, line, { receivedAt });
}

/** Random salts of this run, one per day, as the salt store would make them. */
function runSalts() {
  const key = randomBytes(32);
  return (day: string) => createHmac('sha256', key).update(day).digest();
}

const iso = (ms: number) => new Date(ms).toISOString();

function eventFields(ev: Event) {
  return {
    source: ev.source,
    time: iso(ev.ts),
    host: ev.host,
    method: ev.method,
    path: ev.path,
    query: ev.query,
    status: ev.status,
    bytes: ev.bytes,
    request_time_ms: ev.timed ? ev.requestTimeMs : null,
    pageview: ev.isPageview,
    twin: ev.twin,
    event_type: ev.eventType,
    ...(ev.eventName ? { event_name: ev.eventName, props: ev.props } : {}),
    referrer_host: ev.referrerHost,
    channel: ev.channel,
    utm: Object.fromEntries(Object.entries(ev.utm).filter(([, v]) => v)),
    browser: ev.browser,
    browser_version: ev.browserVersion,
    os: ev.os,
    os_version: ev.osVersion,
    device: ev.deviceType,
    country: ev.country,
    language: ev.language,
    engaged_ms: ev.engagedMs,
  };
}

/** One line's explanation: what became of it, and why. */
export function describe(o: RecordOutcome): Record<string, unknown> {
  const line = o.record.offset;
  if (o.kind === 'event')
    return { line, outcome: 'human', ...eventFields(o.event), visitor: o.event.visitorId, session: o.event.sessionId };
  if (o.kind === 'dropped') {
    if (o.reason === 'opted_out') return { line, outcome: 'opted_out', reason: o.detail };
    return {
      line,
      outcome: 'bot',
      reason: o.detail,
      ...(o.event.botDetail ? { detail: o.event.botDetail } : {}),
      name: o.event.botName,
      user_agent: o.event.userAgent,
      path: o.event.path,
      status: o.event.status,
    };
  }
  return { line, outcome: 'dead_letter', reason: o.reason, detail: o.detail };
}

/**
 * The explanation of every line, in order: one object per input line (an
 * empty line is "skipped"). A line that makes its visitor a bot by behaviour
 * also lists the visitor's earlier lines, explained as human when they came,
 * that the verdict moves to the bots (`moves_lines`), as ingestion does.
 */
export async function* explainLines(lines: AsyncIterable<string | LogLine>, opts: ExplainOptions): AsyncGenerator<Record<string, unknown>> {
  const state = emptySessionState();
  const ctx = {
    saltFor: runSalts(),
    hostsOf: opts.hosts.hostsOf,
    learnHost: opts.hosts.learn,
    countryOf: opts.countryOf,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    sessionReorderMs: opts.sessionReorderMs,
    now: Date.now(),
    stream: 'explain',
  };
  const batchLines = opts.batchLines ?? 1000;
  let batch: BusRecord[] = [];
  let skipped: number[] = [];
  let n = 0;
  // Lines explained as human, per visitor, while a verdict may still move them (a visitor id is one day's).
  const humanLinesOf = new Map<string, number[]>();
  const flush = function* () {
    const { outcomes, writes } = sessionizeRecords(batch, state, { ...ctx, now: Date.now() });
    const deciding = new Set(writes.flagged.map((f) => f.offset));
    const byLine = new Map(
      outcomes.map((o) => {
        const out = describe(o);
        if (o.kind === 'event') {
          const seen = humanLinesOf.get(o.event.visitorId);
          if (seen) seen.push(o.record.offset);
          else humanLinesOf.set(o.event.visitorId, [o.record.offset]);
        }
        if (o.kind === 'dropped' && deciding.has(o.record.offset)) {
          out.moves_lines = humanLinesOf.get(o.event.visitorId) ?? [];
          humanLinesOf.delete(o.event.visitorId);
        }
        return [o.record.offset, out] as const;
      }),
    );
    for (const l of [...byLine.keys(), ...skipped].sort((a, b) => a - b))
      yield byLine.get(l) ?? { line: l, outcome: 'skipped', reason: 'empty_line' };
    batch = [];
    skipped = [];
  };
  for await (const item of lines) {
    n++;
    const { text: line, cut } = typeof item === 'string' ? { text: item, cut: undefined } : item;
    if (line.trim() === '') skipped.push(n);
    // A line cut at LOG_LINE_MAX_BYTES is explained as the dead letter a replay makes of it (run-records.ts).
    else if (cut)
      batch.push({ value: line, hit: logHit(opts.site, line, { receivedAt: Date.now() }), position: `line ${n}`, offset: n, cut });
    else batch.push({ value: encodeHit(hitOf(opts.site, line, Date.now())), position: `line ${n}`, offset: n });
    if (batch.length >= batchLines) yield* flush();
  }
  yield* flush();
}
