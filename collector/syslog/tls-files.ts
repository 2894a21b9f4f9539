/** The syslog TLS listener's files (SYSLOG_TLS_*), read once at start; undefined when SYSLOG_TLS_PORT is 0. */
import { readFile } from 'node:fs/promises';
import type { Config } from '../../common/config.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';

export async function readSyslogTls(config: Pick<Config, 'SYSLOG_TLS_PORT' | 'SYSLOG_TLS_CERT' | 'SYSLOG_TLS_KEY' | 'SYSLOG_TLS_CA'>) {
  if (config.SYSLOG_TLS_PORT === 0) return undefined;
  if (!config.SYSLOG_TLS_CERT || !config.SYSLOG_TLS_KEY)
    throw new ScalehouseError('SYSLOG_TLS_PORT needs SYSLOG_TLS_CERT and SYSLOG_TLS_KEY (PEM files)');
  const read = (path: string, name: string) =>
    readFile(path).catch((err) => {
      throw new ScalehouseError(`cannot read ${name} ${path}: ${errorMessage(err)}`);
    });
  return {
    port: config.SYSLOG_TLS_PORT,
    cert: await read(config.SYSLOG_TLS_CERT, 'SYSLOG_TLS_CERT'),
    key: await read(config.SYSLOG_TLS_KEY, 'SYSLOG_TLS_KEY'),
    ...(config.SYSLOG_TLS_CA ? { ca: await read(config.SYSLOG_TLS_CA, 'SYSLOG_TLS_CA') } : {}),
  };
}
