/**
 * The import benchmark's section of docs/benchmarks.md, from its runs: per
 * log and per batch program, the medians of the pairs and the median of each
 * pair's ratio to GoAccess (a pair's runs went one right after the other;
 * their ratio is what a noisy machine leaves comparable), and what the engine
 * program's import left on disk.
 */
import { goaccessVersion } from './reference-tools.ts';
import type { TableSize } from './import-storage.ts';
import { machine, percentile } from './report.ts';

export interface Run {
  seconds: number;
  peakMiB: number;
}
/** The programs `scalehouse replay` runs in each pair (PROCESSOR_PROGRAM): the default, and the JavaScript reference. */
export const PROGRAMS = ['auto', 'javascript'] as const;
export type Program = (typeof PROGRAMS)[number];
/** How a program's row is labelled: `auto` takes the engine program for every replay batch (50,000 lines). */
const LABELS: Record<Program, string> = {
  auto: '`scalehouse replay`, engine program (default `auto`)',
  javascript: '`scalehouse replay`, javascript program (before)',
};

export interface Pair {
  ours: Record<Program, Run>;
  ref: Run;
}
export interface LogResult {
  name: string;
  lines: number;
  megabytes: number;
  pairs: Pair[];
  /** Lines replay counted as bots' in the end (by user agent and by behaviour), over all lines: the engine program's count. */
  botShare: number;
  /** What the engine program's import left on disk. */
  tables: TableSize[];
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

function rows(r: LogResult): string[] {
  const med = (f: (p: Pair) => number) => percentile(r.pairs.map(f), 50);
  const rate = (s: number) => Math.round(r.lines / s).toLocaleString();
  const ref = med((p) => p.ref.seconds);
  const program = (name: Program, first: string) => {
    const s = med((p) => p.ours[name].seconds);
    const ratio = med((p) => p.ref.seconds / p.ours[name].seconds);
    return `|${first ? ` ${first} ` : ' '}| ${LABELS[name]} | ${s.toFixed(1)} s | ${rate(s)} | ${med((p) => p.ours[name].peakMiB).toFixed(0)} MiB | **${ratio.toFixed(2)}×** |`;
  };
  return [
    ...PROGRAMS.map((name, i) => program(name, i === 0 ? `${r.name} (${percent(r.botShare)} bots)` : '')),
    `| | GoAccess | ${ref.toFixed(1)} s | ${rate(ref)} | ${med((p) => p.ref.peakMiB).toFixed(0)} MiB | 1× |`,
  ];
}

/** One row per table that holds rows after either import, each log's rows and bytes side by side. */
function storageRows(results: LogResult[]): string[] {
  const names = [...new Set(results.flatMap((r) => r.tables.map((t) => t.table)))];
  return names.map((name) => {
    const cells = results.map((r) => {
      const t = r.tables.find((x) => x.table === name);
      if (!t) return '— | — | —';
      return `${t.rows.toLocaleString()} | ${(t.bytes / 2 ** 20).toFixed(1)} MiB | ${(t.bytes / t.rows).toFixed(1)}`;
    });
    return `| \`${name}\` | ${cells.join(' | ')} |`;
  });
}

/** The bytes the bot hits take (counted in bots_minute, sampled in bot_hit_samples) per line replay counted as a bot's. */
function botBytesPerLine(r: LogResult): string {
  const bots = r.botShare * r.lines;
  const bytes = r.tables.filter((t) => t.table === 'bots_minute' || t.table === 'bot_hit_samples').reduce((n, t) => n + t.bytes, 0);
  return bots > 0 ? `${(bytes / bots).toFixed(2)} bytes per bot line` : 'no bot lines';
}

export function importSection(results: LogResult[], pairs: number): string {
  const logs = results
    .map((r) => `- **${r.name}**: ${r.lines.toLocaleString()} lines (${r.megabytes.toFixed(0)} MiB), ${percent(r.botShare)} of them bots'`)
    .join('\n');
  return `## Importing an access log: \`scalehouse replay\` against GoAccess

Command: \`npm run bench:import\` (\`bench/import.ts\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}.
Two combined logs built from the real logs in \`../shared/data/logs\` (\`bench/build-log.ts\`: copies spread over
30 days, each copy with its own visitors). *Mostly bots*: every line of those logs, as in them. *Mostly people*:
only the lines \`scalehouse explain\` calls human there, by user agent and by behaviour (\`bench/human-lines.ts\`;
a line a later behavioural verdict moves to the bots is left out). The share of bots is \`scalehouse replay\`'s
own count of the import (its summary line: bots by user agent and by behaviour, over all lines):

${logs}

${pairs} pair${pairs === 1 ? '' : 's'} per log, each on the same file one after the other: GoAccess, \`scalehouse replay\` with the
default program (\`PROCESSOR_PROGRAM=auto\`: the engine program, as replay's batches are 50,000 lines) and with
\`PROCESSOR_PROGRAM=javascript\` (every line through \`processor/pipeline.ts\`, 5,000-line batches: the program
before issue 27), each replay into a fresh data folder; the two logs taking turns; medians.

**Reference**: GoAccess ${goaccessVersion()} (Debian's package), \`--log-format=COMBINED -o report.json\`: parses
and counts, keeps its report in memory. Scalehouse does more per line (bot verdicts by user agent and behaviour,
visitor hashes, sessions, twins) and loads every row into ClickHouse, exactly once.

| log | | wall time | lines/s | peak memory | vs GoAccess |
|---|---|---|---|---|---|
${results.flatMap(rows).join('\n')}

"vs GoAccess": the median of the pairs' ratios of GoAccess's wall time to Scalehouse's (above 1×: Scalehouse faster).

On disk after each engine program's import (compressed, after \`OPTIMIZE … FINAL\` of the raw tables; the logs themselves are
${results.map((r) => `${r.megabytes.toFixed(0)} MiB`).join(' and ')}):

| table | ${results.map((r) => `${r.name}: rows | compressed | bytes/row`).join(' | ')} |
|---|${'---|---|---|'.repeat(results.length)}
${storageRows(results).join('\n')}

Bot hits on disk (\`bots_minute\` and \`bot_hit_samples\` together): ${results.map((r) => `${r.name}, ${botBytesPerLine(r)}`).join('; ')}.
`;
}
