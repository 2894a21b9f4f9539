/**
 * docs/benchmarks.md is written by several benchmarks: each owns the section
 * between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` and replaces only
 * that, so one benchmark's run keeps the others' latest figures (and the notes
 * written between sections by hand).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const FILE = new URL('../docs/benchmarks.md', import.meta.url);
const HEAD = `# Benchmarks

Each benchmark compares side by side, in the same run, against a named reference, on this project's
machine (${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; shared and noisy: medians of repeated runs). Each section
says the command that produced it and the day it ran.
`;

/** Replaces (or appends) the section `name` of docs/benchmarks.md with `markdown`. */
export function writeSection(name: string, markdown: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEAD;
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const section = `${open}\n${markdown.trim()}\n${close}`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + close.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next);
}

/** The p-th percentile (0–100) of `xs`, by nearest rank. */
export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1))]!;

/** The machine, as a benchmark section states it. */
export const machine = (): string =>
  `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB`;
