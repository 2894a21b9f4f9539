/**
 * A Dockerfile read as Docker reads it, for tests that follow it without a
 * Docker engine: instructions with their continuation lines joined, comments
 * dropped, grouped into stages (each `FROM`, named by `AS` or by its index).
 * Only the forms the project's Dockerfile uses are understood; anything else
 * fails, so the test cannot follow an instruction it misreads.
 */
import { readFileSync } from 'node:fs';

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export interface Stage {
  name: string;
  image: string;
  workdir: string;
  env: Record<string, string>;
  /** COPY and RUN, in order: what makes the stage's files. */
  steps: ({ copy: Copy } | { run: string })[];
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  volumes: string[];
  healthcheck?: string;
}

function instructions(text: string): [string, string][] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^([A-Z]+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`Dockerfile: cannot read the line "${line}"`);
      return [m[1]!, m[2]!];
    });
}

const jsonArray = (op: string, args: string): string[] => {
  if (!args.startsWith('['))
    throw new Error(`Dockerfile: ${op} ${args}: write it in the exec form (a JSON array), which runs without a shell`);
  return JSON.parse(args) as string[];
};

function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  if (words[0]!.startsWith('[')) throw new Error(`Dockerfile: COPY ${args}: the JSON form is not followed here; write COPY src... dest`);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const unknown = flags.filter((f) => !/^--(from|chown|chmod)=/.test(f));
  if (unknown.length > 0 || paths.length < 2) throw new Error(`Dockerfile: COPY ${args}: not a form followed here`);
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of args.split(/\s+/)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^"'\s]*)$/.exec(pair);
    if (!m) throw new Error(`Dockerfile: ENV ${args}: write KEY=value pairs without quotes or spaces`);
    env[m[1]!] = m[2]!;
  }
  return env;
}

export function readDockerfile(path: string): Stage[] {
  const stages: Stage[] = [];
  for (const [op, args] of instructions(readFileSync(path, 'utf8'))) {
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`Dockerfile: FROM ${args}: not a form followed here`);
      stages.push({ name: m[2] ?? String(stages.length), image: m[1]!, workdir: '/', env: {}, steps: [], volumes: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    switch (op) {
      case 'WORKDIR':
        stage.workdir = args;
        break;
      case 'ENV':
        Object.assign(stage.env, parseEnv(args));
        break;
      case 'COPY':
        stage.steps.push({ copy: parseCopy(args) });
        break;
      case 'RUN':
        stage.steps.push({ run: args });
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = jsonArray(op, args);
        break;
      case 'CMD':
        stage.cmd = jsonArray(op, args);
        break;
      case 'USER':
        stage.user = args;
        break;
      case 'VOLUME':
        stage.volumes.push(...args.split(/\s+/));
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = args;
        break;
      case 'EXPOSE':
        break;
      default:
        throw new Error(`Dockerfile: ${op} is not followed by tests/helpers/dockerfile.ts: teach it, or do without`);
    }
  }
  return stages;
}
