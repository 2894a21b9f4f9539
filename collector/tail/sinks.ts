/**
 * Where `scalehouse tail` sends lines: straight into the processor pipeline
 * and ClickHouse (exactly once), or to a collector's POST /api/logs.
 *
 * A line longer than LOG_LINE_MAX_BYTES (only its head read, follow-file.ts)
 * is never loaded as a hit: straight in, it is a `line_too_long` dead letter,
 * as `scalehouse replay` makes it (processor/batch/run-records.ts); to a
 * collector it is not sent, since `POST /api/logs` refuses a batch holding it
 * whole (413 `line_too_long`), but left out with a warning naming where it is.
 */
import { encodeHit, type LogHit } from '../../common/hit.ts';
import type { Pseudonymiser } from '../../common/pseudonym.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import type { BusBatch } from '../../bus/bus.ts';
import type { TailSink } from './run-tail.ts';

/**
 * Straight into the pipeline. With `pseudonymise` (as the collector does), the
 * addresses in the lines become the same daily pseudonyms a collector makes,
 * so a visitor seen here and by the beacon is one visitor.
 */
export function pipelineSink(handle: (batch: BusBatch) => Promise<void>, pseudonymise?: Pseudonymiser): TailSink {
  return {
    exactlyOnce: true,
    send: (hits, meta) =>
      handle({
        token: meta.token,
        stream: meta.stream,
        end: meta.end,
        records: hits.map((h, i) => ({
          value: encodeHit(pseudonymise ? pseudonymise.hit(h) : h),
          offset: meta.offsets[i]!,
          position: meta.positions[i]!,
          ...(meta.cuts[i] ? { cut: meta.cuts[i] } : {}),
        })),
      }),
  };
}

export function httpSink(baseUrl: string, token: string, site: string): TailSink {
  const url = new URL(`/api/logs?site=${encodeURIComponent(site)}`, baseUrl).href;
  return {
    exactlyOnce: false,
    send: async (hits: LogHit[], meta) => {
      const long = meta.cuts.flatMap((cut, i) => (cut ? [`${meta.positions[i]}: ${cut}`] : []));
      if (long.length > 0)
        log.warn(`tail: ${long.length} lines longer than LOG_LINE_MAX_BYTES not sent to ${url}`, { lines: long.slice(0, 10) });
      const sent = hits.filter((_, i) => !meta.cuts[i]);
      if (sent.length === 0) return;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
        body: sent.map((h) => h.line).join('\n') + '\n',
      }).catch((err: Error) => {
        throw new ScalehouseError(`cannot reach ${url}: ${err.message}`, { retriable: true });
      });
      if (res.ok) return;
      const text = await res.text();
      if (res.status === 413) {
        // The collector's limits are stricter than ours: these lines can never be accepted. Skip them, loudly,
        // rather than stop following the file.
        log.warn(`tail: ${url} refused ${sent.length} lines as too large; skipped`, { answer: text.slice(0, 300) });
        return;
      }
      // 503 (bus full or down) and 5xx are worth retrying; 4xx (bad token, unknown site) are not.
      throw new ScalehouseError(`${url} answered ${res.status}: ${text.slice(0, 300)}`, {
        retriable: res.status >= 500 || res.status === 429,
      });
    },
  };
}
