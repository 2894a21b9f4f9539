/**
 * The pipeline's own trouble, from what the processes report to
 * pipeline_health and the dead letters in pipeline_stats: records the
 * processor could not use, intake refusals, batches that failed (ClickHouse
 * away or refusing), one batch retried for minutes (stuck), hits piling up
 * on the bus, and a consumer that stopped: hits wait or arrive, but none was
 * processed for stallMinutes, or (Kafka) a partition stalled.
 */
import { num, type Finding } from '../finding.ts';
import type { AlertRules } from '../rules.ts';
import type { Signals } from '../signals.ts';

const total = (rows: Signals['counters'], metric: string) => rows.filter((r) => r.metric === metric).reduce((n, r) => n + r.value, 0);

export function checkPipeline(s: Signals, rules: AlertRules): Finding[] {
  const t = rules.forSite('');
  const on = (rule: Finding['rule']) => !t.off.includes(rule);
  const found: Finding[] = [];
  const pipeline = { site: '', expected: 0 };
  const window = `in the last ${t.windowMinutes} minutes`;
  if (on('dead_letters')) {
    for (const d of s.deadLetters.filter((d) => d.count >= t.deadLetters)) {
      found.push({
        ...pipeline,
        rule: 'dead_letters',
        subject: d.reason,
        value: d.count,
        summary: `${num(d.count)} records dead-lettered as "${d.reason}" ${window} (alert at ${num(t.deadLetters)}); see the dead_letters table`,
      });
    }
  }
  if (on('intake_refusals')) {
    const byReason = new Map<string, number>();
    for (const r of s.counters.filter((r) => r.metric === 'hits_refused')) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + r.value);
    for (const [reason, n] of byReason) {
      if (n >= t.refusals)
        found.push({
          ...pipeline,
          rule: 'intake_refusals',
          subject: reason,
          value: n,
          summary: `the collector refused ${num(n)} requests as "${reason}" ${window} (alert at ${num(t.refusals)})`,
        });
    }
  }
  const failures = total(s.counters, 'batch_failures');
  if (on('batch_failures') && failures >= t.batchFailures) {
    found.push({
      ...pipeline,
      rule: 'batch_failures',
      subject: '',
      value: failures,
      summary: `the processor failed ${num(failures)} batches ${window}: ClickHouse is away or refusing inserts (they are retried; see the processor's log)`,
    });
  }
  // One batch failing for a reason a retry can cure holds up its stream: a few failures may be a blip, minutes of them are not.
  const failingSeconds = s.gauges.batch_failing_seconds ?? 0;
  if (on('batch_stuck') && failingSeconds > 0 && failingSeconds >= t.batchStuckMinutes * 60) {
    const stuckMinutes = Math.round(failingSeconds / 6) / 10;
    const attempts = s.gauges.batch_retry_attempts ?? 0;
    found.push({
      ...pipeline,
      rule: 'batch_stuck',
      subject: '',
      value: stuckMinutes,
      summary: `a batch has failed to load for ${num(stuckMinutes)} minutes (${num(attempts)} attempts; alert at ${num(t.batchStuckMinutes)}) and the hits behind it wait: ClickHouse is away, a table is missing or a disk fails — not bad data, which is dead-lettered; the processor's /readyz names the batch and its last error`,
    });
  }
  const lag = s.gauges.bus_lag_hits ?? 0;
  if (on('bus_lag') && lag >= t.busLagHits) {
    found.push({
      ...pipeline,
      rule: 'bus_lag',
      subject: '',
      value: lag,
      summary: `${num(lag)} hits wait on the bus (alert at ${num(t.busLagHits)}): the processor is behind`,
    });
  }
  const arrived = total(s.stallCounters, 'hits_acknowledged');
  // Kafka: partitions whose committed offset has stood still for KAFKA_STALL_SECONDS while hits wait, as
  // the broker tells every processor — one stuck consumer among many, which records processed elsewhere hide.
  const stalled = s.gauges.bus_stalled ?? 0;
  if (on('consumer_stalled') && stalled > 0) {
    found.push({
      ...pipeline,
      rule: 'consumer_stalled',
      subject: '',
      value: lag,
      summary: `${num(stalled)} Kafka ${stalled === 1 ? 'partition is' : 'partitions are'} stalled: hits wait (${num(lag)} on the bus) and the consumer group's offset has not moved for KAFKA_STALL_SECONDS; the processor that consumes it says so in /readyz, every processor's /metrics has scalehouse_bus_stalled`,
    });
  } else if (on('consumer_stalled') && (lag > 0 || arrived > 0) && total(s.stallCounters, 'records_processed') === 0) {
    found.push({
      ...pipeline,
      rule: 'consumer_stalled',
      subject: '',
      value: lag,
      summary: `no record processed in the last ${t.stallMinutes} minutes while ${num(lag)} hits wait on the bus and ${num(arrived)} arrived: the processor is stalled or down`,
    });
  }
  return found;
}
