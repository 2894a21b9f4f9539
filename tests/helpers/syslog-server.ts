/** The real syslog receiver as most tests want it: on 127.0.0.1, any port, lines tagged `nginx` for example.com. */
import type { Bus } from '../../bus/bus.ts';
import { startSyslogServer } from '../../collector/syslog/syslog-server.ts';
import { testPseudonymiser } from './hits.ts';

type Options = Parameters<typeof startSyslogServer>[0];

export const testSyslogServer = (bus: Bus, more: Partial<Options> = {}) =>
  startSyslogServer({
    pseudonymise: testPseudonymiser(),
    host: '127.0.0.1',
    port: 0,
    maxBytes: 4096,
    bus,
    rules: { siteByTag: { nginx: 'example.com' }, sites: '*' },
    ...more,
  });
