/**
 * What the real-client tests share: kafka-python's interpreter by its absolute path (Debian's
 * package, installed by .ci/run; never a python3 that happens to come first on the PATH), a check
 * that fails with the package to install, and kafkajs with its log kept for failure messages
 * instead of printed. (Their wait is `../support/eventually.ts`.)
 */
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { PYTHON, requireClient } from '../../support/real-clients.ts';

export { PYTHON };

/** /usr/bin/python3 must import kafka-python 2.0.2 (Debian's python3-kafka). */
export function requireKafkaPython(): void {
  requireClient('kafka-python');
  const version = execFileSync(PYTHON, ['-c', 'import kafka; print(kafka.__version__)'], { encoding: 'utf8' }).trim();
  if (version !== '2.0.2') throw new Error(`${PYTHON} has kafka-python ${version}; these tests were written against 2.0.2 (Debian's python3-kafka)`);
}

const LEVEL_NAMES: Record<number, string> = { [logLevel.ERROR]: 'ERROR', [logLevel.WARN]: 'WARN', [logLevel.INFO]: 'INFO', [logLevel.DEBUG]: 'DEBUG' };

/** A kafkajs client whose log lines go to `log` (the tail is shown when a wait times out). */
export function kafkajsClient(brokers: string, clientId: string, log: string[], extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    logLevel: logLevel.INFO,
    logCreator: () => ({ namespace, level, log: entry }) => {
      log.push(`${LEVEL_NAMES[level] ?? level} ${namespace}: ${entry.message}${entry.error ? ` (${String(entry.error)})` : ''}`);
    },
    ...extra,
  });
}

export const tail = (log: readonly string[], lines = 30) => log.slice(-lines).join('\n');
