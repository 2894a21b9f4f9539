/** The bus adapter chosen by configuration: Kafka when KAFKA_BROKERS is set, else the local on-disk log. */
import { join } from 'node:path';
import type { Config } from '../common/config.ts';
import type { Bus } from '../bus/bus.ts';
import { LocalBus } from '../bus/local/local-bus.ts';
import { KafkaBus } from '../bus/kafka/kafka-bus.ts';
import { ScalehouseError, errorMessage } from '../common/errors.ts';
import { DATA_SUBDIRS } from '../common/data-dir.ts';

export async function openBus(config: Config): Promise<Bus> {
  if (config.KAFKA_BROKERS.length === 0)
    return LocalBus.open({ dir: join(config.DATA_DIR, DATA_SUBDIRS.bus), reserveBytes: config.DISK_RESERVE_MB * 1024 ** 2 });
  try {
    return await KafkaBus.open(config);
  } catch (err) {
    throw new ScalehouseError(`cannot reach Kafka at ${config.KAFKA_BROKERS.join(',')}: ${errorMessage(err)}. Check KAFKA_BROKERS.`, {
      cause: err,
      retriable: true,
    });
  }
}
