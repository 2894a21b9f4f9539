/**
 * `scalehouse tail FILE… [--site NAME] [--to URL --token T] [--from-end]`:
 * follow live access logs like GoAccess does, surviving rotation and
 * restarts. Without --to, lines go straight through the pipeline into
 * ClickHouse (exactly once; with the embedded engine, `scalehouse start` must
 * not be using the same DATA_DIR). With --to, they are posted to a running
 * collector (`--token` or INGEST_TOKEN).
 */
import { join } from 'node:path';
import { access } from 'node:fs/promises';
import { DATA_SUBDIRS, prepareDataDir } from '../../common/data-dir.ts';
import { isValidSiteName } from '../../common/config.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { log } from '../../common/log.ts';
import { runTail, type TailSink } from '../../collector/tail/run-tail.ts';
import { httpSink, pipelineSink } from '../../collector/tail/sinks.ts';
import { createBatchHandler } from '../../processor/batch/batch-handler.ts';
import { processorSettings } from '../processor-settings.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { openClickHouse } from '../open-clickhouse.ts';
import { commandConfig } from '../command-config.ts';

export async function tailCommand(args: string[]): Promise<void> {
  const files: string[] = [];
  const flags: string[] = [];
  const own: Record<string, string> = {};
  let fromEnd = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--(site|to|token)(?:=(.*))?$/.exec(a);
    if (m) own[m[1]!] = m[2] ?? args[++i] ?? '';
    else if (a === '--from-end') fromEnd = true;
    else if (a.startsWith('--')) flags.push(a, ...(a.includes('=') ? [] : [args[++i] ?? '']));
    else files.push(a);
  }
  if (files.length === 0)
    throw new ScalehouseError(
      'name the access log to follow: scalehouse tail /var/log/nginx/access.log [--site example.com] [--to http://collector:8080]',
    );
  const site = own.site ?? 'default';
  if (!isValidSiteName(site)) throw new ScalehouseError(`--site "${site}" is not a valid site name (a lowercase host name)`);
  for (const f of files)
    await access(f).catch(() => {
      throw new ScalehouseError(`cannot read ${f}: no such file, or no permission`);
    });
  const config = commandConfig(flags);
  // Listen for a stop at once: a SIGTERM while ClickHouse opens still ends the run cleanly.
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  process.on('SIGTERM', () => stop.abort());
  await prepareDataDir(config.DATA_DIR);

  let sink: TailSink;
  let close = async () => {};
  if (own.to) {
    // INGEST_TOKEN may list several (a rotation): the first is the one to send.
    const token = own.token || config.INGEST_TOKEN.split(',')[0]!.trim();
    if (!token) throw new ScalehouseError("--to needs the collector's ingest token: --token T or INGEST_TOKEN");
    sink = httpSink(own.to, token, site);
  } else {
    const ch = await openClickHouse(config);
    const salts = new SaltStore(ch);
    await salts.refresh();
    const settings = await processorSettings(config, ch);
    const { handle } = createBatchHandler({ ch, salts, ...settings });
    // Pseudonyms as a collector makes them: one visitor whichever way their hits came.
    sink = pipelineSink(handle, pseudonymiser(salts.saltFor, Date.now, settings.countryOf));
    close = () => ch.close();
  }

  let lines = 0;
  const report = setInterval(() => log.info(`tail: ${lines} lines so far`), 30_000);
  log.info(`following ${files.join(', ')} for site ${site} → ${own.to ?? 'ClickHouse'}`);
  try {
    await Promise.all(
      files.map((path) =>
        runTail({
          path,
          site,
          sink,
          stateDir: join(config.DATA_DIR, DATA_SUBDIRS.tail),
          maxLineBytes: config.LOG_LINE_MAX_BYTES,
          fromEnd,
          signal: stop.signal,
          onChunk: (n) => (lines += n),
        }),
      ),
    );
  } finally {
    clearInterval(report);
    await close();
  }
  log.info(`tail stopped after ${lines} lines`);
}
