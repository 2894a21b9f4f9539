/**
 * `scalehouse compose-env [--sites LIST] [--out FILE]`: the `.env` compose.yaml
 * needs, with fresh secrets (cli/compose-env.ts). The secrets go to the file
 * or to standard output and nowhere else: never to a terminal (screens and
 * scrollback are seen by others), never into an existing file (its secrets
 * may already be in ClickHouse's and Grafana's volumes), never in a message.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { isValidSiteName } from '../../common/config.ts';
import { ScalehouseError, errorMessage } from '../../common/errors.ts';
import { writeComposeEnv } from '../compose-env.ts';

interface Options {
  sites?: string[];
  out?: string;
}

function readOptions(args: string[]): Options {
  const options: Options = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? args[++i] ?? '';
    if (flag === '--sites') {
      options.sites = value()
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const bad = options.sites.filter((s) => !isValidSiteName(s));
      if (options.sites.length === 0 || bad.length > 0) {
        throw new ScalehouseError(
          `--sites needs host names such as example.com,blog.example.com${bad.length ? `, not ${bad.join(', ')}` : ''}`,
        );
      }
    } else if (flag === '--out') {
      options.out = value();
      if (!options.out) throw new ScalehouseError('--out needs a file name, such as .env');
    } else {
      throw new ScalehouseError(`unknown option ${args[i]} (\`scalehouse compose-env --help\`)`);
    }
  }
  return options;
}

/** Creates `path` for its owner alone (0600), failing if it exists (O_EXCL: flag "wx", Node's fs.open). */
function writeNewFile(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    throw new ScalehouseError(
      exists
        ? `${path} exists: it is left as it is (its passwords may already be set in ClickHouse and Grafana). Move it away to make a new one.`
        : `cannot create ${path}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export async function composeEnvCommand(args: string[]): Promise<void> {
  const options = readOptions(args);
  if (!options.out && process.stdout.isTTY) {
    throw new ScalehouseError(
      'the file holds secrets, so it is not shown on a terminal: write it with `scalehouse compose-env --out .env` (or `> .env`)',
    );
  }
  const sites = options.sites ?? ['example.com'];
  const text = writeComposeEnv({ sites, randomBytes, now: new Date() });
  if (options.out) writeNewFile(options.out, text);
  else process.stdout.write(text);
  // Standard error, so it shows when standard output goes to the file; it names no secret.
  if (!options.sites)
    process.stderr.write(
      'SITES=example.com: put your own sites on the SITES line of the file (or give --sites example.com,blog.example.com)\n',
    );
  if (options.out) process.stderr.write(`wrote ${options.out}; next: docker compose up -d --build\n`);
}
