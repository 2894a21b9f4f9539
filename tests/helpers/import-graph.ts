// The project's import graph, for the architecture rules in tests/unit/import-rules.test.ts.
// Built from source text with the TypeScript scanner, so it sees what the code says rather than
// what happens to type-check while files are being moved around.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

// Not source of ours: dependencies, local broker state, VCS data. tests/ and bench/ are walked
// like any other folder so rules can name them.
const SKIP = new Set(['node_modules', '.git', '.kafka']);

export interface Edge {
  from: string; // repository-relative file, e.g. 'collector/routes/beacon.ts'
  to: string; // repository-relative file, or a package name ('hono', '@clickhouse/client', 'node:fs')
  external: boolean; // true when `to` is a package, so 'clickhouse/x.ts' and '@clickhouse/client' never get confused
  typeOnly: boolean; // `import type` / `export type`, or every named import marked `type`
}

const toRepoPath = (abs: string) => relative(ROOT, abs).split(sep).join('/');

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else if (name.endsWith('.ts')) out.push(toRepoPath(abs));
  }
  return out;
}

// 'chdb/connection' → 'chdb', '@hono/node-server/x' → '@hono/node-server'; 'node:fs' stays as is.
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

// The code base writes explicit '.ts' extensions, but tolerate '.js' and extensionless forms so a
// stray specifier still lands on the right file. An unresolvable one is kept as written: an edge
// to a file that is gone is still an edge the rules should see.
function resolveRelative(fromFile: string, spec: string): string {
  const base = join(ROOT, dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return toRepoPath(hit ?? base);
}

// Positions of specifiers whose import/export is erased at runtime. preProcessFile reports each
// specifier's start, which is what getStart() gives for the same string literal.
function typeOnlyPositions(file: string, text: string): Set<number> {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  const at = new Set<number>();
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && s.importClause) {
      const c = s.importClause;
      const named = c.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      if (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)))
        at.add(s.moduleSpecifier.getStart(sf));
    } else if (ts.isExportDeclaration(s) && s.isTypeOnly && s.moduleSpecifier) {
      at.add(s.moduleSpecifier.getStart(sf));
    }
  }
  return at;
}

export function buildImportGraph(): { files: string[]; edges: Edge[] } {
  // Top-level folders only: root files (vitest.config.ts) are tooling, not part of any layer.
  const folders = readdirSync(ROOT).filter((n) => !SKIP.has(n) && statSync(join(ROOT, n)).isDirectory());
  const files = folders.flatMap((f) => walk(join(ROOT, f), [])).sort();
  const edges: Edge[] = [];
  for (const from of files) {
    const text = readFileSync(join(ROOT, from), 'utf8');
    const erased = typeOnlyPositions(from, text);
    // `true, true`: also record dynamic import('…') and require(), which a lazy load hides behind.
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = imp.fileName;
      const external = !spec.startsWith('.');
      const to = external ? packageName(spec) : resolveRelative(from, spec);
      edges.push({ from, to, external, typeOnly: erased.has(imp.pos) });
    }
  }
  return { files, edges };
}

// Tarjan's strongly connected components; every component with more than one file (or a file
// importing itself) contains a cycle. Type-only edges count: a type cycle still ties the files together.
// Each file in a component yields its shortest cycle, de-duplicated, so two 2-cycles sharing a
// hub show up as two cycles rather than one opaque blob. Cycles are returned without the closing repeat.
export function findCycles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: string[] = [];
    for (let w = ''; w !== v; ) {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    }
    components.push(comp);
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) strong(v);

  const cycles = new Map<string, string[]>();
  for (const comp of components) {
    const inComp = new Set(comp);
    if (comp.length === 1 && !(next.get(comp[0]!) ?? []).includes(comp[0]!)) continue;
    for (const start of [...comp].sort()) {
      // Breadth-first inside the component for the shortest way back to `start`.
      const parent = new Map<string, string>();
      const queue = [start];
      for (let i = 0; i < queue.length && !parent.has(start); i++) {
        for (const w of next.get(queue[i]!) ?? []) {
          if (!inComp.has(w) || parent.has(w)) continue;
          parent.set(w, queue[i]!);
          queue.push(w);
        }
      }
      const path = [start];
      for (let v = parent.get(start)!; v !== start; v = parent.get(v)!) path.unshift(v);
      path.unshift(start);
      path.pop(); // path is now start … last, with last → start closing it
      const m = path.indexOf([...path].sort()[0]!); // rotate so each cycle has one spelling
      const canon = [...path.slice(m), ...path.slice(0, m)];
      cycles.set(canon.join('\0'), canon);
    }
  }
  return [...cycles.values()].sort((a, b) => a.join().localeCompare(b.join()));
}
