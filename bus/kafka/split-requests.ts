/**
 * One produce request per SEND_BYTES of messages, so that no record batch
 * exceeds what the broker takes (message.max.bytes, 1 MiB by default, is
 * checked per record batch, before compression counts).
 */
import type { Message } from 'kafkajs';

const SEND_BYTES = 768 * 1024;

/** Splits messages into requests of at most SEND_BYTES (one message alone may exceed it). */
export function splitIntoRequests(messages: Message[], maxBytes = SEND_BYTES): Message[][] {
  const requests: Message[][] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = (m.value as string).length;
    if (requests.length === 0 || (bytes + size > maxBytes && requests.at(-1)!.length > 0)) {
      requests.push([]);
      bytes = 0;
    }
    requests.at(-1)!.push(m);
    bytes += size;
  }
  return requests;
}
