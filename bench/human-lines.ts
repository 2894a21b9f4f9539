/**
 * The lines of a real log that `scalehouse explain` calls a person's: human by
 * user agent and by behaviour. A line explained as human when it came is left
 * out when a later line of its visitor makes the visitor a bot by behaviour:
 * explain lists it then in that line's `moves_lines`, as ingestion moves such
 * hits to the bots. In hackers-access.log that is 981 of the 1,484 lines
 * explained as human when they came.
 *
 * The import benchmark builds its human-heavy log from these lines; the memory
 * benchmark takes its browsers' user agents from them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/scalehouse.mjs', import.meta.url));

export interface HumanLine {
  /** The line as written in the log (1-based `line` of the file). */
  text: string;
  line: number;
  /** The visitor explain gave it: a pseudonym that means something within this run only. */
  visitor: string;
  browser: string;
  os: string;
}

interface Explained {
  line: number;
  outcome: string;
  visitor?: string;
  browser?: string;
  os?: string;
  moves_lines?: number[];
}

/** `scalehouse explain FILE`: one object per line of the file. */
function explainFile(file: string, site: string): Explained[] {
  const r = spawnSync(process.execPath, [BIN, 'explain', file, '--site', site], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    maxBuffer: 256 * 2 ** 20,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scalehouse explain ${file} failed: ${r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter((text) => text)
    .map((text) => JSON.parse(text) as Explained);
}

/** The lines of `file` that stay human once every behavioural verdict of the file is in, in file order. */
export function explainHumanLines(file: string, site = 'bench.example'): HumanLine[] {
  const raw = readFileSync(file, 'utf8').split('\n');
  const explained = explainFile(file, site);
  const moved = new Set(explained.flatMap((o) => o.moves_lines ?? []));
  return explained
    .filter((o) => o.outcome === 'human' && !moved.has(o.line))
    .map((o) => ({ text: raw[o.line - 1] ?? '', line: o.line, visitor: o.visitor ?? '', browser: o.browser ?? '', os: o.os ?? '' }));
}
