/**
 * The real Kafka clients some tests drive besides kafkajs (an npm dependency): Debian's kcat
 * (librdkafka 2.0.2) at /usr/bin/kcat and kafka-python 2.0.2 for /usr/bin/python3 (Debian's
 * python3-kafka; never a python3 that happens to come first on the PATH); and a real ZooKeeper
 * server, Debian's zookeeper package (3.8: its jar at /usr/share/java/zookeeper.jar), run by the
 * `java` on the PATH.
 *
 * `.ci/run` installs them and sets `KAFKASIM_REAL_CLIENTS=required`: there a missing client fails
 * the tests that need it, saying what to install. Elsewhere (a fresh clone with only Node, where the
 * README promises that `npm test` passes) those tests are skipped, and one line says which and why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const KCAT = '/usr/bin/kcat';
export const PYTHON = '/usr/bin/python3';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

export type RealClient = 'kcat' | 'kafka-python' | 'zookeeper';

const INSTALL: Record<RealClient, string> = {
  kcat: `${KCAT} is missing: install Debian's kcat (apt-get install kcat), as .ci/run does`,
  'kafka-python': `${PYTHON} cannot import kafka: install Debian's python3-kafka (apt-get install python3-kafka), as .ci/run does`,
  zookeeper: `${ZOOKEEPER_JAR} or java is missing: install Debian's zookeeper (apt-get install zookeeper, which brings java), as .ci/run does`,
};

const PROBES: Record<RealClient, () => boolean> = {
  kcat: () => existsSync(KCAT),
  'kafka-python': () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import kafka'], { stdio: 'ignore' }).status === 0,
  zookeeper: () => existsSync(ZOOKEEPER_JAR) && spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0,
};

const present = new Map<RealClient, boolean>();

function isPresent(client: RealClient): boolean {
  let found = present.get(client);
  if (found === undefined) {
    found = PROBES[client]();
    present.set(client, found);
  }
  return found;
}

/** Whether CI demands the real clients (then nothing is skipped). */
export function realClientsRequired(): boolean {
  return process.env['KAFKASIM_REAL_CLIENTS'] === 'required';
}

/**
 * True when the tests that need `client` are to be skipped: it is missing and not required.
 * For `describe.skipIf(skipWithout('kcat'))(...)`.
 */
export function skipWithout(client: RealClient): boolean {
  if (isPresent(client) || realClientsRequired()) return false;
  console.warn(`skipping tests that need ${client}: ${INSTALL[client]}`);
  return true;
}

/** Fails with what to install when `client` is missing (inside a test that needs it). */
export function requireClient(client: RealClient): void {
  if (!isPresent(client)) throw new Error(INSTALL[client]);
}
