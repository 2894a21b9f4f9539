// Architecture rules: which top-level folder may depend on which. Each failure lists the
// offending imports as 'from → to' so the fix is obvious from the test output alone.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildImportGraph, findCycles, type Edge } from '../helpers/import-graph.ts';

const { files, edges } = buildImportGraph();

const top = (path: string) => path.split('/')[0]!;
const isProduct = (path: string) => !['tests', 'bench'].includes(top(path));
const show = (e: Edge) => `${e.from} → ${e.to}${e.typeOnly ? ' (type only)' : ''}`;

/** Imports from files in `fromFolders` to project files in `toFolders`. */
function crossing(fromFolders: string[], toFolders: string[]): string[] {
  return edges.filter((e) => !e.external && fromFolders.includes(top(e.from)) && toFolders.includes(top(e.to))).map(show);
}

describe('import rules', () => {
  it('the graph is real, so no rule below passes on an empty one', () => {
    expect(files.length).toBeGreaterThan(60);
    expect(
      edges.some((e) => top(e.from) === 'cli' && !e.external && top(e.to) === 'collector'),
      'cli/ imports collector/',
    ).toBe(true);
    expect(
      edges.some((e) => top(e.from) === 'dashboard' && !e.external && top(e.to) === 'common'),
      'dashboard/ imports common/',
    ).toBe(true);
    expect(
      edges.some((e) => e.from.startsWith('clickhouse/') && e.to === '@clickhouse/client'),
      'clickhouse/ imports @clickhouse/client',
    ).toBe(true);
  });

  it('dashboard/ imports nothing from collector/, processor/ or bus/', () => {
    expect(crossing(['dashboard'], ['collector', 'processor', 'bus']), 'dashboard/ must not import collector/, processor/, bus/').toEqual(
      [],
    );
  });

  it('collector/ and processor/ do not import each other', () => {
    expect(crossing(['collector'], ['processor']), 'collector/ must not import processor/').toEqual([]);
    expect(crossing(['processor'], ['collector']), 'processor/ must not import collector/').toEqual([]);
  });

  it('bus/ and common/ import none of the stages, and common/ not bus/', () => {
    const stages = ['collector', 'processor', 'dashboard', 'server', 'cli', 'clickhouse'];
    expect(crossing(['bus', 'common'], stages), `bus/ and common/ must not import ${stages.join('/, ')}/`).toEqual([]);
    expect(crossing(['common'], ['bus']), 'common/ must not import bus/').toEqual([]);
  });

  it('server/ imports none of collector/, processor/, dashboard/, bus/, cli/', () => {
    expect(
      crossing(['server'], ['collector', 'processor', 'dashboard', 'bus', 'cli']),
      'server/ must not import collector/, processor/, dashboard/, bus/, cli/',
    ).toEqual([]);
  });

  it('clickhouse/ imports only clickhouse/ and common/ among project files', () => {
    const violations = edges
      .filter((e) => top(e.from) === 'clickhouse' && !e.external && !['clickhouse', 'common'].includes(top(e.to)))
      .map(show);
    expect(violations, 'clickhouse/ may only import clickhouse/ and common/').toEqual([]);
  });

  it('alerts/ reads only ClickHouse: it imports only common/ and clickhouse/', () => {
    const violations = edges
      .filter((e) => top(e.from) === 'alerts' && !e.external && !['alerts', 'common', 'clickhouse'].includes(top(e.to)))
      .map(show);
    expect(violations, 'alerts/ may only import alerts/, common/ and clickhouse/').toEqual([]);
    expect(
      edges.some((e) => top(e.from) === 'alerts' && top(e.to) === 'clickhouse'),
      'alerts/ imports clickhouse/',
    ).toBe(true);
  });

  it('product code has no import cycles (type-only imports included)', () => {
    const fileSet = new Set(files);
    const product = edges.filter((e) => !e.external && fileSet.has(e.to) && isProduct(e.from) && isProduct(e.to));
    const cycles = findCycles(product).map((c) => [...c, c[0]].join(' → '));
    expect(cycles, 'import cycles in product code').toEqual([]);
  });

  it('only clickhouse/ touches the ClickHouse drivers; only clickhouse/, tests/, bench/ import the raw client', () => {
    const drivers = edges
      .filter((e) => e.external && ['@clickhouse/client', 'chdb'].includes(e.to) && top(e.from) !== 'clickhouse')
      .map(show);
    expect(drivers, 'only clickhouse/ may import @clickhouse/client or chdb').toEqual([]);
    const raw = edges
      .filter((e) => !e.external && e.to === 'clickhouse/raw-client.ts' && !['clickhouse', 'tests', 'bench'].includes(top(e.from)))
      .map(show);
    expect(raw, 'only clickhouse/, tests/, bench/ may import clickhouse/raw-client.ts').toEqual([]);
  });

  it('only common/config.ts reads the environment in product code', () => {
    // A text check: catches process.env however it is reached, including destructuring and spreads.
    const readers = files
      .filter((f) => isProduct(f) && f !== 'common/config.ts')
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .flatMap((line, i) => (line.includes('process.env') ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(readers, 'process.env outside common/config.ts').toEqual([]);
  });
});
