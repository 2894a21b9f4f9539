/**
 * `scalehouse explain [FILE|-] [--site NAME]`: prints, one JSON object per
 * input line, what the pipeline made of it — parsed fields, browser, OS and
 * device, bot verdict with reason and name, channel, pageview or not, visitor
 * and session, or the dead-letter reason. Nothing is stored; no ClickHouse is
 * opened. Reads standard input without FILE or with "-".
 */
import { access } from 'node:fs/promises';
import { fileArgs } from '../file-args.ts';
import { openCountryLookup } from '../../common/country.ts';
import { ScalehouseError } from '../../common/errors.ts';
import { explainLines } from '../../processor/explain/explain.ts';
import { lineLimits, readLogLines } from '../../processor/replay/log-lines.ts';
import { openLogFile } from '../../processor/replay/open-log-file.ts';
import { SiteHosts } from '../../processor/state/site-hosts.ts';
import { commandConfig } from '../command-config.ts';
import { sessionSettings } from '../processor-settings.ts';

export async function explainCommand(args: string[]): Promise<void> {
  const { files, site, flags } = fileArgs(args);
  if (files.length > 1)
    throw new ScalehouseError('explain reads one file (or standard input): scalehouse explain access.log [--site example.com]');
  const file = files[0] ?? '-';
  if (file !== '-')
    await access(file).catch(() => {
      throw new ScalehouseError(`cannot read ${file}: no such file, or no permission`);
    });
  const config = commandConfig(flags);
  const countryOf = await openCountryLookup(config.GEOIP_DB);
  // Lines longer than LOG_LINE_MAX_BYTES are explained as dead letters; a file that is no log at all stops it.
  const limits = lineLimits(file === '-' ? 'standard input' : file, config.LOG_LINE_MAX_BYTES);
  const input = file === '-' ? readLogLines(process.stdin, limits) : openLogFile(file, limits).lines;
  const explained = explainLines(input, {
    site,
    hosts: new SiteHosts(config.SITE_HOSTS),
    countryOf,
    ...sessionSettings(config),
  });
  for await (const line of explained) {
    if (!process.stdout.write(`${JSON.stringify(line)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
}
