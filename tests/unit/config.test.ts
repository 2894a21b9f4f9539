import { describe, expect, it } from 'vitest';
import { loadConfig, addressMatcher, SETTINGS } from '../../common/config.ts';
import { ConfigError } from '../../common/errors.ts';
import { checkOpenIntake } from '../../collector/sites.ts';

describe('configuration', () => {
  it('works with no configuration at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: '127.0.0.1',
      CLICKHOUSE_URL: '',
      CLICKHOUSE_DATABASE: 'scalehouse',
      SITES: '*',
      TRUSTED_PROXIES: [],
      SESSION_TIMEOUT_MINUTES: 30,
      RAW_RETENTION_DAYS: 0,
    });
    expect(c.DATA_DIR).toMatch(/\.scalehouse$/);
  });

  it('reports every bad value in one error', () => {
    let err: unknown;
    try {
      loadConfig(
        {
          PORT: 'eighty',
          CLICKHOUSE_URL: 'ftp://x',
          SITES: 'Bad Site!',
          TRUSTED_PROXIES: '10.0.0.0/99',
          CLICKHOUSE_DATABASE: 'drop table',
          LOG_LEVEL: 'loud',
        },
        ['--nope', '1'],
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'unknown option --nope',
      'PORT: must be a whole number, got "eighty"',
      'CLICKHOUSE_URL: must use http or https, got "ftp:"',
      'CLICKHOUSE_DATABASE: must be a ClickHouse identifier (letters, digits, _), got "drop table"',
      'SITES: not valid site names (host names, such as example.com): Bad Site!',
      'TRUSTED_PROXIES: "10.0.0.0/99" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)',
      'LOG_LEVEL: must be one of debug, info, warn, error, silent, got "loud"',
    ]);
    expect((err as Error).message).toContain('PORT: must be a whole number');
  });

  it('says a number out of range is out of range, and names a non-number as one', () => {
    // [value, the setting's range, a whole number?]: the message follows from these alone.
    const cases: [string, number, number, boolean][] = [
      ['-1', 1, 1440, true],
      ['0', 1, 1440, true],
      ['1441', 1, 1440, true],
      ['+2000', 1, 1440, true],
      ['99999999999999999999', 1, 1440, true],
      ['abc', 1, 1440, false],
      ['1.5', 1, 1440, false],
      ['', 1, 1440, false],
      ['1e3', 1, 1440, false],
      ['- 1', 1, 1440, false],
    ];
    for (const [value, min, max, whole] of cases) {
      expect(() => loadConfig({ SESSION_TIMEOUT_MINUTES: value }), value).toThrow(
        whole
          ? `SESSION_TIMEOUT_MINUTES: must be between ${min} and ${max}, got ${value}`
          : `SESSION_TIMEOUT_MINUTES: must be a whole number, got "${value}"`,
      );
    }
    expect(loadConfig({ SESSION_TIMEOUT_MINUTES: ' +45 ' }).SESSION_TIMEOUT_MINUTES).toBe(45);
  });

  it('echoes bad site names as typed, and keeps good ones lowercased', () => {
    expect(() => loadConfig({ SITES: 'Example.com, Bad Site,OK.example' })).toThrow(
      'SITES: not valid site names (host names, such as example.com): Bad Site',
    );
    expect(loadConfig({ SITES: 'Example.COM, blog.example.com' }).SITES).toEqual(['example.com', 'blog.example.com']);
  });

  it('refuses a SESSION_SECRET shorter than 32 characters at load, without echoing it', () => {
    const short = 'only-31-characters-of-a-secret!';
    expect(short).toHaveLength(31);
    let err: unknown;
    try {
      loadConfig({ SESSION_SECRET: short });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'SESSION_SECRET: must be at least 32 characters (or empty, to have a key kept in DATA_DIR)',
    ]);
    expect((err as Error).message).not.toContain(short);
    expect(loadConfig({ SESSION_SECRET: ` ${short}x ` }).SESSION_SECRET).toBe(`${short}x`);
    expect(loadConfig({}).SESSION_SECRET).toBe('');
  });

  it('refuses SITES=* on a collector served beyond loopback, unless ALLOW_ANY_SITE says so', () => {
    const check = (env: Record<string, string>) => () => checkOpenIntake(loadConfig(env));
    for (const HOST of ['0.0.0.0', '::', '192.0.2.10'])
      expect(check({ HOST }), HOST).toThrow(/SITES=\* would take hits for any site name.*SITES=example\.com/);
    const fine: Record<string, string>[] = [
      {},
      { HOST: '127.0.0.1' },
      { HOST: '::1' },
      { HOST: 'localhost' },
      { HOST: '0.0.0.0', SITES: 'example.com' },
      { HOST: '0.0.0.0', ALLOW_ANY_SITE: 'true' },
    ];
    for (const env of fine) {
      expect(check(env), JSON.stringify(env)).not.toThrow();
    }
  });

  it('lets flags override the environment', () => {
    const c = loadConfig({ PORT: '1000' }, ['--port', '9000', '--sites=a.com,B.com', '--data-dir', '/tmp/x']);
    expect([c.PORT, c.SITES, c.DATA_DIR]).toEqual([9000, ['a.com', 'b.com'], '/tmp/x']);
  });

  it('matches trusted proxies by address and range, IPv4, IPv6 and v4-mapped', () => {
    const trusted = addressMatcher(['10.0.0.0/8', '::1', '2001:db8::/32']);
    expect(['10.9.8.7', '::ffff:10.1.1.1', '::1', '2001:db8:1::5'].map(trusted)).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '::2', 'not-an-ip', ''].map(trusted)).toEqual([false, false, false, false]);
  });

  it('describes every setting (the README table and `scalehouse help` print these)', () => {
    for (const s of Object.values(SETTINGS)) expect(s.describe.length).toBeGreaterThan(10);
  });
});
