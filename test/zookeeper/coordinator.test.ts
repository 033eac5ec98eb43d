/**
 * The backend-independent coordinator semantics, run against the simulated ZooKeeper: once with
 * world history on (the server mutates immer drafts, one snapshot per step) and once with it off
 * (the server mutates one live tree), since the same server code must behave the same in both.
 */
import { defineCoordinatorSuite } from './coordinator-suite.ts';
import { simHarness } from './sim-harness.ts';

defineCoordinatorSuite('simulated coordinator (history on)', simHarness({ seed: 11, history: true }));
defineCoordinatorSuite('simulated coordinator (history off)', simHarness({ seed: 12, history: false, trace: 'digest' }));
