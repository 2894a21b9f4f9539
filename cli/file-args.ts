/**
 * The arguments of the commands that read log files (`replay`, `explain`):
 * the files ("-" is standard input), `--site NAME` (checked), and every other
 * `--flag` left for the settings (cli/command-config.ts).
 */
import { isValidSiteName } from '../common/config.ts';
import { ScalehouseError } from '../common/errors.ts';

export function fileArgs(args: string[]): { files: string[]; site: string; flags: string[] } {
  const files: string[] = [];
  const flags: string[] = [];
  let site = 'default';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--site') site = args[++i] ?? '';
    else if (a.startsWith('--site=')) site = a.slice(7);
    else if (a.startsWith('--')) flags.push(a, ...(a.includes('=') ? [] : [args[++i] ?? '']));
    else files.push(a);
  }
  if (!isValidSiteName(site)) throw new ScalehouseError(`--site "${site}" is not a valid site name (a lowercase host name)`);
  return { files, site, flags };
}
