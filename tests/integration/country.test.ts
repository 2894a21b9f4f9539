/**
 * Countries from the bundled offline database (DB-IP IP to Country Lite): known
 * public resolvers and registries, documentation and private ranges (none), and
 * the way the code travels — looked up by the collector before the address is
 * a pseudonym, or by the processor for files it reads itself — with no address
 * left on the hit or in the event.
 */
import { describe, expect, it } from 'vitest';
import { codeOf, openCountryLookup } from '../../common/country.ts';
import { pseudonymiser } from '../../common/pseudonym.ts';
import { beaconHit } from '../../common/hit.ts';
import { runPipeline } from '../../processor/pipeline.ts';
import { TEST_SALT, testLogHit } from '../helpers/hits.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const line = (ip: string) => `${ip} - - [02/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "${UA}"`;

describe('country lookup', () => {
  it('knows well-known public addresses, and no country for documentation, private and loopback ones', async () => {
    const countryOf = await openCountryLookup('');
    expect(['8.8.8.8', '9.9.9.9', '1.1.1.1', '193.0.6.139'].map(countryOf)).toEqual(['US', 'US', 'AU', 'NL']);
    expect(
      ['192.0.2.1', '198.51.100.7', '203.0.113.9', '2001:db8::1', '10.0.0.1', '127.0.0.1', '::1', 'not an address', ''].map(countryOf),
    ).toEqual(['', '', '', '', '', '', '', '', '']);
    expect((await openCountryLookup('none'))('8.8.8.8')).toBe('');
    await expect(openCountryLookup('/no/such.mmdb')).rejects.toThrow(/cannot open the country database \/no\/such.mmdb \(GEOIP_DB\)/);
  });

  it('reads both the DB-IP and the MaxMind record formats', () => {
    expect(codeOf({ country_code: 'DE' })).toBe('DE');
    expect(codeOf({ country: { iso_code: 'FR' } })).toBe('FR');
    expect(codeOf({ registered_country: { iso_code: 'JP' } })).toBe('JP');
    expect(codeOf(null)).toBe('');
    expect(codeOf({ country_code: 'not a code' })).toBe('');
  });

  it('travels as a code: the collector looks it up before the address becomes a pseudonym', async () => {
    const p = pseudonymiser(() => TEST_SALT, Date.now, await openCountryLookup(''));
    const log = p.hit(testLogHit(line('8.8.8.8')));
    expect(log.headers.country).toBe('US');
    expect(log.line).not.toContain('8.8.8.8');
    const beacon = p.hit(
      beaconHit('example.com', { url: 'https://example.com/' }, { receivedAt: Date.now(), client: '1.1.1.1', headers: { userAgent: UA } }),
    );
    expect([beacon.headers.country, beacon.client.startsWith('~')]).toEqual(['AU', true]);
    const result = runPipeline(log, { saltFor: () => TEST_SALT });
    expect(result.ok && result.event.country).toBe('US');
    expect(JSON.stringify(result)).not.toContain('8.8.8.8');
  });

  it('is looked up by the processor for lines it reads itself (tail, replay)', async () => {
    const result = runPipeline(testLogHit(line('193.0.6.139')), { saltFor: () => TEST_SALT, countryOf: await openCountryLookup('') });
    expect(result.ok && result.event.country).toBe('NL');
    expect(result.ok && result.event.client).toBeUndefined();
  });
});
