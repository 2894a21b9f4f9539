/**
 * What the JavaScript of a file set needs, read from its text: the modules
 * it imports (static, dynamic, `require.resolve`) and the files it reads by a
 * fixed path beside itself (`new URL('…', import.meta.url)`). Paths built at
 * run time (`./ui/${name}`) cannot be read here; running the code finds those.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

// A specifier is a package name or path: no spaces, commas or escapes, which tells it from a
// string that happens to follow the word "from" in code or text.
const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"]([@\w./:-]+)['"]/g;
const REQUIRE = /(?:\brequire|\.resolve)\(\s*['"]([@\w./:-]+)['"]/g; // require(), require.resolve(), createRequire(…).resolve()
const BESIDE = /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;

function scripts(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : scripts(root, path);
    return /\.(m?js)$/.test(e.name) ? [path] : [];
  });
}

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

export interface Problems {
  /** "file → path" for relative imports and fixed paths that are not in the file set. */
  missing: string[];
  /** "file → package" for packages that are not production dependencies. */
  notProduction: string[];
}

/**
 * Checks every script under `root` (node_modules aside): relative imports and
 * fixed paths must exist there, packages must be among `dependencies`.
 */
export function checkReferences(root: string, dependencies: string[]): Problems {
  const problems: Problems = { missing: [], notProduction: [] };
  for (const file of scripts(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    const specs = [...text.matchAll(IMPORT), ...text.matchAll(REQUIRE)].map((m) => m[1]!);
    const paths = [...text.matchAll(BESIDE)].map((m) => m[1]!);
    for (const target of [...specs.filter((s) => s.startsWith('.')), ...paths]) {
      const abs = join(root, dirname(file), target);
      if (!existsSync(abs)) problems.missing.push(`${file} → ${relative(root, abs)}`);
    }
    for (const spec of specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:'))) {
      const name = packageOf(spec);
      if (!builtinModules.includes(name) && !dependencies.includes(name)) problems.notProduction.push(`${file} → ${name}`);
    }
  }
  return problems;
}
