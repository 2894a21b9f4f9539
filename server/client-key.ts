/**
 * Whose requests count together for a limit: an IPv4 address, or an IPv6
 * /64 — one host or household holds a whole /64, so counting its addresses
 * apart would give it billions of allowances.
 */
import { isIP } from 'node:net';

export function clientKey(address: string): string {
  if (isIP(address) !== 6 || address.startsWith('::ffff:')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|::ffff:127(\.\d{1,3}){3}|localhost)$/i;

/**
 * The machine itself — as a client, a proxy or shipper on the same host, whose clients a limit must not
 * lump together; as a listening address (HOST, SYSLOG_HOST), a door closed to other machines.
 */
export const isLoopback = (address: string): boolean => LOOPBACK.test(address);
