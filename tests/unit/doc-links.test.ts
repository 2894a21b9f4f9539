// Docs and source comments name only files that exist: a markdown link, or a path from the root
// (`common/hit.ts`, docs/privacy.md) in a document or a comment, that leads nowhere fails here
// with where it is written. Moving or deleting a file means mending what points at it.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { commentReferences, markdownReferences, type Reference } from '../helpers/doc-references.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Not the project's own text: dependencies, VCS data, build output and local state (.gitignore),
// and test data from elsewhere, whose notes name files of the repositories it came from.
const SKIP = new Set(['node_modules', '.git', '.kafka', 'dist', '.dist-build', 'coverage', '.scalehouse', '.data', 'fixtures']);
const TOP_FOLDERS = new Set(readdirSync(ROOT).filter((n) => !SKIP.has(n) && statSync(join(ROOT, n)).isDirectory()));

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else if (/\.(md|ts|js|mjs|sql)$/.test(name)) out.push(relative(ROOT, abs).split(sep).join('/'));
  }
  return out;
}

function referencesOf(file: string): Reference[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return file.endsWith('.md') ? markdownReferences(file, text, TOP_FOLDERS) : commentReferences(file, text, TOP_FOLDERS);
}

const tops = new Set(['common', 'docs', 'clickhouse', 'tests']);
const written = (refs: Reference[]) => refs.map((r) => r.written);

describe('references in docs and comments', () => {
  const files = walk(ROOT);
  const all = files.map((file) => ({ file, refs: referencesOf(file) }));

  it('are found, so the check below does not pass on nothing', () => {
    expect(files.filter((f) => f.endsWith('.md')).length).toBeGreaterThan(10);
    expect(all.reduce((n, f) => n + f.refs.length, 0)).toBeGreaterThan(200);
    expect(written(all.find((f) => f.file === 'README.md')!.refs)).toContain('docs/screenshots/dashboard.png');
  });

  it('name files that exist', () => {
    const dead = all.flatMap(({ file, refs }) =>
      refs.filter((r) => !r.candidates.some((c) => existsSync(join(ROOT, c)))).map((r) => `${file}:${r.line} → ${r.written}`),
    );
    expect(dead).toEqual([]);
  });
});

describe('what counts as a reference', () => {
  it('in markdown: links from the document, root paths in prose and code spans; not URLs, ../shared, globs, placeholders or fenced blocks', () => {
    const md = [
      'See [metrics](metrics.md#filters), [home](https://example.com/docs/x.md), [top](#top), [data](../../shared/data/README.md).',
      'The hit is `common/hit.ts`; read docs/privacy.md. Folder `clickhouse/migrations/` and `tests/**/*.test.ts`.',
      'Placeholders: `clickhouse/queries/NAME.sql`, clickhouse/migrations/NNNN_name.sql, `docs/x.md`, `clickhouse/queries/…sql`, `docs/{a,b}.md`, `/share/TOKEN`, `/api/stats`.',
      'Folders: tests/fixtures/logs and `common/hit`, not server/client; not paths: client/server, `@hono/node-server`, ~/common/x.ts, /tmp/common/x.ts, `DATA_DIR/bus`.',
      '```',
      'cat common/missing.ts',
      '```',
    ].join('\n');
    const refs = markdownReferences('docs/dashboards.md', md, tops);
    expect(refs.map((r) => [r.line, r.written, r.candidates[0]])).toEqual([
      [1, 'metrics.md#filters', 'docs/metrics.md'],
      [2, 'common/hit.ts', 'common/hit.ts'],
      [2, 'docs/privacy.md', 'docs/privacy.md'],
      [2, 'clickhouse/migrations/', 'clickhouse/migrations'],
      [4, 'tests/fixtures/logs', 'tests/fixtures/logs'],
      [4, 'common/hit', 'common/hit'],
    ]);
    expect(refs.at(-1)!.candidates).toContain('common/hit.ts');
  });

  it('in code: comments only, never strings or regular expressions', () => {
    const code = [
      '/** The Hit (ARCHITECTURE.md, Contracts); built in `common/hit.ts`. */',
      "const path = 'common/missing.ts'; // read by tests/unit/import-rules.test.ts",
      'const re = /\\/\\/ common\\/not-a-comment.ts/;',
      'const t = `// docs/not-a-comment.md`;',
    ].join('\n');
    expect(written(commentReferences('common/x.ts', code, tops))).toEqual([
      'common/hit.ts',
      'ARCHITECTURE.md',
      'tests/unit/import-rules.test.ts',
    ]);
    const sql = "-- @human: see clickhouse/queries/dashboard/_human.sql\nSELECT '-- docs/not-a-comment.md' -- and docs/metrics.md.\n";
    expect(written(commentReferences('clickhouse/queries/x.sql', sql, tops))).toEqual([
      'clickhouse/queries/dashboard/_human.sql',
      'docs/metrics.md',
    ]);
  });
});
