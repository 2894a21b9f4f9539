/**
 * The alerts' memory, in ClickHouse (alert_events): what is firing, and what
 * no webhook has taken yet. The evaluator loads it when it starts, so a
 * restart neither fires again what was open nor forgets a recovery to send.
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouse } from '../clickhouse/connect.ts';
import { insertRows } from '../clickhouse/insert.ts';
import { selectRows } from '../clickhouse/query.ts';
import { chTime } from '../clickhouse/time.ts';
import type { Finding } from './finding.ts';

export interface AlertRecord extends Finding {
  key: string;
  state: 'firing' | 'resolved';
  url: string;
  delivered: boolean;
}

/** Open alerts and undelivered notices are looked for this far back. */
const MEMORY_MS = 30 * 24 * 3600_000;

interface Row {
  alert_key: string;
  rule: Finding['rule'];
  site: string;
  subject: string;
  state: AlertRecord['state'];
  value: number;
  expected: number;
  summary: string;
  url: string;
  delivered: number;
}

export async function loadOpenAlerts(ch: ClickHouse, now: number): Promise<AlertRecord[]> {
  const rows = await selectRows<Row>(ch, 'queries/alerts/alert-states.sql', { since: chTime(now - MEMORY_MS) });
  return rows.map((r) => ({
    key: r.alert_key,
    rule: r.rule,
    site: r.site,
    subject: r.subject,
    state: r.state,
    value: r.value,
    expected: r.expected,
    summary: r.summary,
    url: r.url,
    delivered: Number(r.delivered) === 1,
  }));
}

export async function recordAlerts(ch: ClickHouse, records: AlertRecord[], now: number): Promise<void> {
  if (records.length === 0) return;
  await insertRows(
    ch,
    'alert_events',
    records.map((r) => ({
      ts: chTime(now),
      alert_key: r.key,
      rule: r.rule,
      site: r.site,
      subject: r.subject,
      state: r.state,
      value: r.value,
      expected: r.expected,
      summary: r.summary,
      url: r.url,
      delivered: r.delivered ? 1 : 0,
    })),
    `alerts:${now}:${randomUUID()}`,
  ); // a token of its own: each transition is new, never a redelivery
}
