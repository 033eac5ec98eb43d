/**
 * The controller's partition and replica state machines (0.8.2 `PartitionStateMachine`,
 * `ReplicaStateMachine`) as explicit transition tables in xstate v5, used through the pure
 * `transition()`: a state change not in the table is refused (Kafka logs an IllegalStateException
 * and skips it), and the world stores only the state names.
 */
import { setup } from 'xstate';
import { assert } from '../../sim/assert.ts';
import { FlatTransitions } from '../../sim/flat-machine.ts';
import type { PartitionStateName, ReplicaStateName } from '../state.ts';

type PartitionEvent = { type: PartitionStateName };

/** Valid previous states for each target (0.8.2, `PartitionStateMachine.handleStateChange`). */
export const partitionStateMachine = setup({ types: { events: {} as PartitionEvent } }).createMachine({
  id: 'partition',
  initial: 'NonExistentPartition',
  states: {
    NonExistentPartition: { on: { NewPartition: 'NewPartition' } },
    NewPartition: { on: { OnlinePartition: 'OnlinePartition', OfflinePartition: 'OfflinePartition' } },
    OnlinePartition: { on: { OnlinePartition: 'OnlinePartition', OfflinePartition: 'OfflinePartition' } },
    OfflinePartition: {
      on: { OnlinePartition: 'OnlinePartition', OfflinePartition: 'OfflinePartition', NonExistentPartition: 'NonExistentPartition' },
    },
  },
});

type ReplicaEvent = { type: ReplicaStateName };

/** Valid previous states for each target (0.8.2, `ReplicaStateMachine.handleStateChange`). */
export const replicaStateMachine = setup({ types: { events: {} as ReplicaEvent } }).createMachine({
  id: 'replica',
  initial: 'NonExistentReplica',
  states: {
    NonExistentReplica: { on: { NewReplica: 'NewReplica' } },
    NewReplica: { on: { OnlineReplica: 'OnlineReplica', OfflineReplica: 'OfflineReplica' } },
    OnlineReplica: { on: { OnlineReplica: 'OnlineReplica', OfflineReplica: 'OfflineReplica' } },
    OfflineReplica: {
      on: { OnlineReplica: 'OnlineReplica', OfflineReplica: 'OfflineReplica', ReplicaDeletionStarted: 'ReplicaDeletionStarted' },
    },
    ReplicaDeletionStarted: { on: { ReplicaDeletionSuccessful: 'ReplicaDeletionSuccessful', ReplicaDeletionIneligible: 'ReplicaDeletionIneligible' } },
    ReplicaDeletionSuccessful: { on: { NonExistentReplica: 'NonExistentReplica' } },
    ReplicaDeletionIneligible: { on: { OnlineReplica: 'OnlineReplica', OfflineReplica: 'OfflineReplica' } },
  },
});

const partitionTransitions = new FlatTransitions<PartitionStateName, PartitionStateName>(partitionStateMachine);
const replicaTransitions = new FlatTransitions<ReplicaStateName, ReplicaStateName>(replicaStateMachine);

/** True if the table allows `from` → `to`. */
export function canMovePartition(from: PartitionStateName, to: PartitionStateName): boolean {
  return can(partitionTransitions, 'partition', from, to);
}

export function canMoveReplica(from: ReplicaStateName, to: ReplicaStateName): boolean {
  return can(replicaTransitions, 'replica', from, to);
}

function can<S extends string>(table: FlatTransitions<S, S>, id: string, from: S, to: S): boolean {
  const next = table.next(from, to);
  if (next === undefined) return false;
  assert(next === to, `the ${id} table moves ${from} to ${to}`);
  return true;
}
