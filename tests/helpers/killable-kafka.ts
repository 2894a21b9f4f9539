/**
 * A kafkajs client whose connections can be cut as SIGKILL would cut them.
 * Processors that share one embedded ClickHouse engine must share one process
 * (the engine is one per process), so a processor cannot be SIGKILLed on its
 * own here: instead every socket of its client goes through kafkajs'
 * documented `socketFactory` hook, and `kill()` destroys them all and makes
 * every later connection fail at once. The broker sees the connections drop
 * without a LeaveGroup, as after SIGKILL, and keeps the member until its
 * session times out. `revive()` lets it connect again (for the test's cleanup).
 */
import { Socket, connect } from 'node:net';
import { Kafka, logLevel, type ISocketFactory, type logCreator } from 'kafkajs';

export interface KafkaLogEntry {
  at: number;
  client: string;
  level: number;
  message: string;
  fields: Record<string, unknown>;
}

export function killableKafka(brokers: string[], clientId: string, logs: KafkaLogEntry[]) {
  const sockets = new Set<Socket>();
  let dead = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (dead) {
      const s = new Socket();
      // No network at all: the connection fails as one to a dead host's closed port would.
      process.nextTick(() => s.destroy(Object.assign(new Error('connect ECONNREFUSED (killed)'), { code: 'ECONNREFUSED' })));
      return s;
    }
    const s = connect({ host, port }, onConnect);
    s.setKeepAlive(true, 60_000);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    return s;
  };
  // kafkajs' own log of group joins, rebalances and errors, kept to explain a failure.
  const toLogs: logCreator =
    () =>
    ({ level, log: { message, timestamp: _t, logger: _l, ...fields } }) => {
      logs.push({ at: Date.now(), client: clientId, level, message, fields });
    };
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.INFO,
    logCreator: toLogs,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    socketFactory,
  });
  return {
    kafka,
    kill: () => {
      dead = true;
      // With an error, as a reset connection: kafkajs listens for 'error' and 'end', not 'close', and would
      // otherwise write to the dead socket and wait out its request timeout (30 s) for every request in flight.
      for (const s of sockets) s.destroy(Object.assign(new Error('read ECONNRESET (killed)'), { code: 'ECONNRESET' }));
    },
    revive: () => {
      dead = false;
    },
  };
}
