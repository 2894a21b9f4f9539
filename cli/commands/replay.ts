/**
 * `scalehouse replay FILE…`: import historical access logs with a progress bar
 * and a summary per file (replay-summary.ts). Uses the same pipeline and
 * tables as live traffic.
 */
import { fileArgs } from '../file-args.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { processorSettings } from '../processor-settings.ts';
import { SaltStore } from '../../processor/state/salt-store.ts';
import { replayFile } from '../../processor/replay/replay-file.ts';
import { openClickHouse } from '../open-clickhouse.ts';
import { progressBar } from '../progress.ts';
import { replaySummaryLine } from '../replay-summary.ts';
import { commandConfig } from '../command-config.ts';
import { access } from 'node:fs/promises';
import { prepareDataDir } from '../../common/data-dir.ts';

export async function replayCommand(args: string[]): Promise<void> {
  const { files, site, flags } = fileArgs(args);
  if (files.length === 0)
    throw new ScalehouseError('name at least one access log: scalehouse replay access.log [more.log.gz …] [--site example.com]');
  for (const f of files)
    await access(f).catch(() => {
      throw new ScalehouseError(`cannot read ${f}: no such file, or no permission`);
    });
  const config = commandConfig(flags);
  await prepareDataDir(config.DATA_DIR);
  const ch = await openClickHouse(config);
  const salts = new SaltStore(ch);
  const settings = await processorSettings(config, ch);
  try {
    for (const file of files) {
      const bar = progressBar(file);
      const s = await replayFile(ch, file, {
        site,
        salts,
        ...settings,
        maxLineBytes: config.LOG_LINE_MAX_BYTES,
        onProgress: (p) => bar.update(p.bytesRead, p.bytesTotal, `${p.lines} lines`),
      });
      bar.done(`${s.lines} lines`);
      process.stdout.write(`${replaySummaryLine(s)}\n`);
    }
  } finally {
    await ch.close();
  }
}
