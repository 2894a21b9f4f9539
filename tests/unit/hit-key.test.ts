/** Kafka keys: one visitor, one partition — whichever way their hits arrive. */
import { expect, it } from 'vitest';
import { hitKey } from '../../bus/kafka/hit-key.ts';
import { beaconHit } from '../../common/hit.ts';
import { testLogHit } from '../helpers/hits.ts';

const log = (line: string) => testLogHit(line, { client: '10.9.9.9' });
const combined = '198.51.100.4 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "x"';

it.each([
  ['a combined line: its first field', log(combined), 'example.com|198.51.100.4'],
  ['an nginx JSON line: remote_addr', log('{"msec":"1","remote_addr":"2001:db8::7","status":"200"}'), 'example.com|2001:db8::7'],
  ['a Vector envelope: the wrapped line', log(JSON.stringify({ message: combined, host: 'shipper-1' })), 'example.com|198.51.100.4'],
  [
    'a Fluent Bit envelope: the wrapped line',
    log(JSON.stringify({ date: 1, log: '{"remote_addr":"203.0.113.5"}' })),
    'example.com|203.0.113.5',
  ],
  ['a line without an address: the sender', log('{"status":"200"}'), 'example.com|10.9.9.9'],
  [
    "a beacon: the browser's address",
    beaconHit('example.com', {}, { receivedAt: 0, client: '192.0.2.8', headers: {} }),
    'example.com|192.0.2.8',
  ],
])('%s', (_name, hit, key) => {
  expect(hitKey(hit)).toBe(key);
});
