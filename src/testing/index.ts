/**
 * `kafkasim/testing`: property-based testing against a simulated cluster. Scenarios as data,
 * fast-check arbitraries for clusters, workloads and fault schedules, a Jepsen-style runner and
 * delivery checkers, and counterexamples that replay step by step.
 */
export {
  clusterArbitrary,
  faultScheduleArbitrary,
  scenarioArbitrary,
  workloadArbitrary,
  FAULT_EVENT_KINDS,
  type ClusterArbitraryOptions,
  type FaultEventKind,
  type FaultScheduleOptions,
  type Range,
  type ScenarioArbitraryOptions,
  type WorkloadArbitraryOptions,
} from './arbitraries.ts';
export { assertScenarios, CounterexampleError, type AssertScenariosOptions, type ScenarioRunsSummary } from './assert-scenarios.ts';
export {
  counterexampleReport,
  describeScenario,
  readCounterexample,
  replayCounterexample,
  writeCounterexample,
  COUNTEREXAMPLE_FORMAT,
  type Counterexample,
} from './counterexample.ts';
export {
  checkGroupDelivery,
  checkScenarioDelivery,
  deliveryViolations,
  expectations,
  type Anomaly,
  type DeliveryAnomalies,
} from './delivery-checkers.ts';
export { groupOwnersRegistered } from './group-invariants.ts';
export { NAMED_SCENARIOS, namedScenario, producerAndGroup, threeBrokerCluster, SAFE_FAULTS, type NamedScenario } from './named-scenarios.ts';
export { runScenario, type RunScenarioOptions, type ScenarioOutcome, type ScenarioResult } from './run-scenario.ts';
export { scenarioFailures, type ScenarioChecks } from './scenario-checks.ts';
export {
  validateScenario,
  memberNode,
  CONSUMER_SEMANTICS,
  type ClusterSpec,
  type ConsumerSemantics,
  type ConsumerSpec,
  type ProducerSpec,
  type ScenarioFault,
  type ScenarioSpec,
  type WorkloadSpec,
} from './scenario-spec.ts';
export { sweep, type SweepFailure, type SweepOptions, type SweepProgress, type SweepReport } from './sweep.ts';
export type { ConsumedRecord } from './workload.ts';
export { defaultInvariants, InvariantMonitor, InvariantViolationError, type InvariantChecker, type InvariantViolation } from '../broker/invariants.ts';
