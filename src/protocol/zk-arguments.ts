/**
 * The argument checks every `ZooKeeperClient` backend makes before sending anything, so a bad
 * path, create mode, data or version is refused the same way by the simulated and the real
 * client: an `InvalidArgumentError` naming the value and the rule, thrown at the call.
 */
import { InvalidArgumentError } from '../sim/errors.ts';
import { requireInteger } from '../sim/validate.ts';
import { CREATE_MODES, pathProblem, type CreateMode } from './zookeeper.ts';

export function requirePath(path: unknown, sequential = false): void {
  const problem = pathProblem(path, sequential);
  if (problem !== undefined) throw new InvalidArgumentError('ZooKeeper path', path, `a valid path (${problem})`);
}

export function requireCreateMode(mode: unknown): asserts mode is CreateMode {
  if (!CREATE_MODES.includes(mode as CreateMode)) throw new InvalidArgumentError('create mode', mode, `one of ${CREATE_MODES.join(', ')}`);
}

export function requireData(data: unknown): void {
  if (typeof data !== 'string') throw new InvalidArgumentError('znode data', data, 'a string');
}

export function requireVersion(version: unknown): void {
  requireInteger('version', version, -1);
}
