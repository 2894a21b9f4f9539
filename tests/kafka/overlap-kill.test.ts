/**
 * Exactly once on Kafka while the drain overlaps loading: a `scalehouse processor` killed with
 * SIGKILL while a partition's committed offset records two ranges in flight (one loading, the next
 * prepared on it), and started again — the next owner redoes both, in order, under their tokens;
 * every line counted once, the figures equal a replay of the same log (tests/helpers/replay-figures.ts).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Config } from '../../common/config.ts';
import { logHit } from '../../common/hit.ts';
import { KafkaBus } from '../../bus/kafka/kafka-bus.ts';
import { createKafka } from '../../bus/kafka/kafka-client.ts';
import { parseRecorded } from '../../bus/kafka/recorded-ranges.ts';
import { freePort, startProcessorProcess } from '../helpers/app-process.ts';
import { everyHitCommitted, kafkaEnv, kafkaTestConfig, testBrokers } from '../helpers/kafka.ts';
import { drainedAndReplayed, recentLog } from '../helpers/replay-figures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor, within } from '../helpers/wait-for.ts';

const processorProcess = (cfg: Config, dataDir: string, port: number) =>
  startProcessorProcess({
    ...kafkaEnv(cfg),
    DATA_DIR: dataDir,
    PORT: String(port),
    BATCH_MAX_HITS: '500',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    RAW_RETENTION_DAYS: '0',
  });

describe('Kafka: exactly once with the drain overlapping loading', () => {
  it('a processor killed with two ranges of a partition in flight: both redone, every line once, as a replay', async () => {
    const dir = tempDir('overlap-kafka-kill');
    const { file, lines } = await recentLog(dir, 12_000);
    const cfg = kafkaTestConfig(testBrokers(), { KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const bus = await KafkaBus.open(cfg);
    const receivedAt = Date.now();
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    for (let i = 0; i < text.length; i += 2000)
      await bus.publish(text.slice(i, i + 2000).map((l) => logHit('example.com', l, { receivedAt })));
    await bus.close();
    const kafka = createKafka(cfg);
    const admin = kafka.admin();
    await admin.connect();
    const dataDir = tempDir('overlap-kafka-data');
    const port = await freePort();
    let proc = processorProcess(cfg, dataDir, port);
    try {
      const twoInFlight = async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: cfg.KAFKA_GROUP, topics: [cfg.KAFKA_TOPIC] });
        return offsets!.partitions.find((p) => parseRecorded(p.metadata).length === 2);
      };
      await waitFor('a partition with two ranges in flight', twoInFlight, 90_000);
      proc.child.kill('SIGKILL');
      await within('the processor to die', proc.exited);
      // What the next owner finds: on some partition, one range loading and the next prepared on it.
      expect(await twoInFlight()).toBeDefined();

      proc = processorProcess(cfg, dataDir, port);
      await everyHitCommitted(kafka, cfg, 120_000, () => `processor output: ${proc.output()}`);
      proc.child.kill('SIGTERM');
      expect(await within('the processor to exit after SIGTERM', proc.exited)).toBe(0);
    } finally {
      // A test that failed leaves no processor behind.
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
      await admin.disconnect();
    }
    const drained = await drainedAndReplayed(dataDir, file);
    expect(drained.lines).toBe(lines);
    expect(drained.figures).toEqual(drained.replayed);
  });
});
