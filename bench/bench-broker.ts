/**
 * A fresh single-node Kafka broker of a benchmark's own (scripts/kafka-broker.sh:
 * Apache Kafka from Maven Central, Java 17+), on a port of its own, never the
 * tests' 9092. Refuses to start when something already answers there: the
 * script would take that broker as its own, and a run's must be fresh.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchBroker {
  brokers: string;
  /** Peak resident memory of the broker's process so far (VmHWM). */
  peakMiB: () => number;
  stop: () => void;
}

/** VmHWM of a process, in MiB. */
export function peakMiB(pid: number): number {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

export function startBenchBroker(port: number, dir: string): BenchBroker {
  const script = (cmd: 'start' | 'stop' | 'status') =>
    spawnSync('bash', ['scripts/kafka-broker.sh', cmd, '--port', String(port), '--dir', dir], { encoding: 'utf8' });
  if (script('status').status === 0) {
    throw new Error(`something already answers on 127.0.0.1:${port}: stop it first (bash scripts/kafka-broker.sh stop --port ${port})`);
  }
  process.stderr.write(`starting a Kafka broker on 127.0.0.1:${port}…\n`);
  const started = script('start');
  let running = true;
  const stop = () => {
    if (running) script('stop');
    running = false;
  };
  if (started.status !== 0) {
    stop();
    throw new Error(`the Kafka broker did not start: ${started.stderr}`);
  }
  return {
    brokers: `127.0.0.1:${port}`,
    peakMiB: () => peakMiB(Number(readFileSync(join(dir, 'broker.pid'), 'utf8'))),
    stop,
  };
}
