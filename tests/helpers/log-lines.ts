/**
 * Run with `node --import tsx tests/helpers/log-lines.ts <role>` by
 * tests/unit/log.test.ts: configures the logger as every command does
 * (LOG_LEVEL, LOG_FORMAT and the secrets from the environment) and writes one
 * line of each level, with the kinds of fields callers pass.
 */
import { commandConfig } from '../../cli/command-config.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { log } from '../../common/log.ts';

const config = commandConfig([]);
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

log.debug('batch loaded', { batch: 'local:0-9', records: 10 });
log.info('plain line');
log.warn('careless caller', {
  password: 'hunter2-hunter2',
  nested: { Authorization: 'Bearer abcdef', list: [{ apiKey: 'k-123456' }] },
  clickhouse: 'http://admin:s3cret-pw@ch.internal:8123/',
  raw: Buffer.from('203.0.113.9 - - [01/Jan/2026]'),
  big: 12345678901234567890n,
});
log.error(`cannot reach ClickHouse with token ${config.INGEST_TOKEN}`, { error: new ScalehouseError('insert failed', { cause: refused }) });
