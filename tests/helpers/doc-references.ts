// The project files that docs and source comments name, for tests/unit/doc-links.test.ts: markdown
// links, and paths written the house's way — from the repository's root (`common/hit.ts`,
// docs/security.md) or a bare document name (README.md). Pure over text; the test does the reading.
import ts from 'typescript';
import { posix } from 'node:path';

export interface Reference {
  line: number;
  /** As written, e.g. 'docs/privacy.md' or 'metrics.md#filters'. */
  written: string;
  /** Repository-relative paths any of which may exist for the reference to hold. */
  candidates: string[];
}

// Conventional upper-case file names. Any other word in capitals is a placeholder
// (`clickhouse/queries/NAME.sql`, `NNNN_name.sql`, `/share/TOKEN`), and so is a one-letter
// name (`docs/x.md`): they stand for a file, they do not name one.
const REAL_CAPITALS = new Set(['README', 'LICENSE', 'CHANGELOG', 'CONTRIBUTING', 'ARCHITECTURE', 'SECURITY', 'NOTICE']);
function isPlaceholder(segment: string): boolean {
  const stem = segment.replace(/\..*$/, '');
  return /^[a-z]$/.test(stem) || stem.split(/[_-]/).some((word) => /^[A-Z][A-Z0-9]*$/.test(word) && !REAL_CAPITALS.has(word));
}

// A path from the root: segments joined by '/', not inside a URL, a `../` path, a package name
// (@scope/name), `~/` or an absolute path — whence the look-behind.
const ROOT_PATH = /(?<![\w./@:~$%-])(?:[\w.-]+\/)+[\w.-]*/g;
// A document named alone: README.md, privacy.md.
const BARE_DOC = /(?<![\w./@:~$%-])[\w-]+\.md\b/g;
// A markdown link or image: [text](target "title").
const MD_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#|\/)/i;

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Paths from the root in `text` (one comment, or a document), under the given top-level folders. */
function rootPaths(text: string, topFolders: ReadonlySet<string>): { index: number; written: string }[] {
  const found: { index: number; written: string }[] = [];
  for (const m of text.matchAll(ROOT_PATH)) {
    const written = m[0].replace(/[.-]+$/, ''); // a sentence's full stop is not part of the name
    const next = text[m.index + m[0].length] ?? '';
    const segments = written.split('/').filter(Boolean);
    if (!topFolders.has(segments[0]!) || (segments.length < 2 && !written.endsWith('/'))) continue;
    // Globs and placeholders name no one file: `tests/**`, `clickhouse/queries/…sql`, `{a,b}`, `<name>`.
    if (/^[*…{<[]/.test(next) || /[*…]/.test(written) || segments.some(isPlaceholder)) continue;
    // A file has an extension, a folder a trailing '/'; without either it is a path only in a code span
    // or three segments deep (clickhouse/queries/dashboard): server/client is prose.
    const quoted = text[m.index - 1] === '`' && next === '`';
    if (!written.endsWith('/') && !/\.\w+$/.test(segments.at(-1)!) && !quoted && segments.length < 3) continue;
    found.push({ index: m.index, written });
  }
  return found;
}

// A file named without its extension (tests/unit/import-rules) is any of these.
const STEM_EXTENSIONS = ['.ts', '.test.ts', '.js', '.mjs', '.sql', '.md'];
function candidatesOf(written: string): string[] {
  const path = written.replace(/\/$/, '');
  return written.endsWith('/') || /\.\w+$/.test(path) ? [path] : [path, ...STEM_EXTENSIONS.map((ext) => path + ext)];
}

/** References in `text`, one comment (or the whole) of `file`'s text `whole`, starting at `offset` of it. */
function referencesIn(file: string, whole: string, text: string, offset: number, topFolders: ReadonlySet<string>): Reference[] {
  const dir = posix.dirname(file);
  const refs: Reference[] = rootPaths(text, topFolders).map(({ index, written }) => ({
    line: lineAt(whole, offset + index),
    written,
    candidates: candidatesOf(written),
  }));
  for (const m of text.matchAll(BARE_DOC)) {
    if (isPlaceholder(m[0])) continue;
    refs.push({ line: lineAt(whole, offset + m.index), written: m[0], candidates: [posix.join(dir, m[0]), m[0], `docs/${m[0]}`] });
  }
  return refs;
}

/** Markdown: links resolved from the document's folder, and paths in its prose and code spans (not in fenced blocks). */
export function markdownReferences(file: string, text: string, topFolders: ReadonlySet<string>): Reference[] {
  // Fenced blocks show commands and output, whose paths may be the reader's own; blank them, keeping offsets.
  const prose = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
  const links: Reference[] = [];
  for (const m of prose.matchAll(MD_LINK)) {
    const target = m[1]!.replace(/#.*$/, '');
    if (!target || URL_LIKE.test(m[1]!)) continue;
    const resolved = posix.normalize(posix.join(posix.dirname(file), decodeURI(target))).replace(/\/$/, '');
    if (resolved.startsWith('../')) continue; // outside the project (../shared/…): not ours to check
    links.push({ line: lineAt(text, m.index), written: m[1]!, candidates: [resolved] });
  }
  // A link's target is resolved from the document's folder, so it is blanked before the prose is read.
  const unlinked = prose.replace(MD_LINK, (link) => link.replace(/[^\n]/g, ' '));
  return [...links, ...referencesIn(file, text, unlinked, 0, topFolders)];
}

/** Comments of a TypeScript or JavaScript file, each with its offset, found by the parser (not in strings or regexes). */
function scriptComments(file: string, text: string): { offset: number; text: string }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const seen = new Map<number, string>();
  const collect = (ranges: ts.CommentRange[] | undefined) => ranges?.forEach((r) => seen.set(r.pos, text.slice(r.pos, r.end)));
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    node.getChildren(sf).forEach(visit);
  };
  visit(sf);
  return [...seen].map(([offset, body]) => ({ offset, text: body }));
}

/** SQL `--` comments (the house writes no block comments in SQL); quoted text is blanked first. */
function sqlComments(text: string): { offset: number; text: string }[] {
  const unquoted = text.replace(/'(?:[^'\\]|\\.|'')*'/g, (s) => ' '.repeat(s.length));
  return [...unquoted.matchAll(/--[^\n]*/g)].map((m) => ({ offset: m.index, text: text.slice(m.index, m.index + m[0].length) }));
}

/** References in the comments of a source file (.ts, .js, .mjs, .sql). */
export function commentReferences(file: string, text: string, topFolders: ReadonlySet<string>): Reference[] {
  const comments = file.endsWith('.sql') ? sqlComments(text) : scriptComments(file, text);
  return comments.flatMap((c) => referencesIn(file, text, c.text, c.offset, topFolders));
}
