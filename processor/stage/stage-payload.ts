/**
 * A batch of bus records as the bytes the engine stages (clickhouse/queries/stage/records-create.sql):
 * one tab-separated row a record — its place in the batch, position, offset,
 * the record's bytes as they are (the raw Hit JSON), and what the bus or the
 * line reader found wrong with it. Only TSV's own escapes are made (ClickHouse
 * TabSeparated: backslash, tab, line feed, carriage return): no JSON is read
 * or written here, except for a replayed record that never had bytes.
 */
import type { BusRecord } from '../../bus/bus.ts';
import { encodeHit } from '../../common/hit.ts';

const TSV_SPECIAL = /[\\\t\n\r]/g;
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeTsv = (s: string): string => (/[\\\t\n\r]/.test(s) ? s.replace(TSV_SPECIAL, (c) => TSV_ESCAPES[c]!) : s);

function flawOf(r: BusRecord): [string, string] {
  if (r.damaged) return ['damaged', r.damaged];
  if (r.cut) return ['cut', r.cut];
  return ['', ''];
}

export function buildStagePayload(records: readonly BusRecord[]): Buffer {
  const rows = records.map((r, i) => {
    const [flaw, detail] = flawOf(r);
    const value = r.hit ? encodeHit(r.hit) : r.value;
    return `${i}\t${escapeTsv(r.position)}\t${r.offset}\t${escapeTsv(value)}\t${flaw}\t${escapeTsv(detail)}\n`;
  });
  return Buffer.from(rows.join(''), 'utf8');
}
