/** The start-up warning when the connection caps could take every file handle the process may open. */
import { expect, it } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { fileHandleProblem, listenerSockets, readOpenFileLimit } from '../../cli/file-handle-budget.ts';

it.each([
  ['the defaults, syslog over TCP', {}, true, 1_200],
  ['syslog over TCP and TLS: a cap each', { SYSLOG_TLS_PORT: '6514' }, true, 1_400],
  ['syslog off', { SYSLOG_PORT: '0', SYSLOG_TLS_PORT: '6514' }, true, 1_000],
  ['a role without the collector serves no syslog', {}, false, 1_000],
])('%s', (_name, env, collect, sockets) => {
  expect(listenerSockets(loadConfig(env), collect)).toBe(sockets);
});

it('warns when the caps and the reserve do not fit under the open-file limit, and says which settings to change', () => {
  expect(fileHandleProblem(1_200, 1_024)).toMatch(
    /allow 1200 sockets but this process may open 1024 files.*HTTP_MAX_CONNECTIONS and SYSLOG_MAX_CONNECTIONS.*ulimit -n/,
  );
  expect(fileHandleProblem(1_200, 1_712)).toBeUndefined();
  expect(fileHandleProblem(1_200, 1_711)).toBeDefined();
});

it("reads this process's limit on Linux", () => {
  expect(readOpenFileLimit()).toBeGreaterThan(0);
});
