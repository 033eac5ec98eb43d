/** The deterministic simulation kernel. Knows nothing about Kafka. */
export * from './errors.ts';
export { assert, AssertionFailedError } from './assert.ts';
export { Rng, type RandomSource } from './rng.ts';
export { Future, type Outcome } from './future.ts';
export {
  Kernel,
  Task,
  type KernelOptions,
  type RunUntilOptions,
  type ScheduleOptions,
  type SpawnOptions,
  type TaskOutcome,
  type TaskState,
  type Timer,
} from './kernel.ts';
export type { SimNode } from './node.ts';
export {
  Network,
  Endpoint,
  Connection,
  ConnectionError,
  DEFAULT_LINK,
  type Acceptor,
  type CloseReason,
  type ConnectOptions,
  type LinkOptions,
} from './network.ts';
export { RpcClient, RpcServer, RequestTimeoutError, type RequestOptions, type RpcServerHandlers } from './rpc.ts';
export { FaultInjector, type Fault, type FaultDefinition, type KernelFault, type ScheduledFault } from './faults.ts';
export {
  Trace,
  TRACE_MODES,
  filterTrace,
  formatMs,
  parseJsonLines,
  renderRecord,
  renderTrace,
  toJsonLine,
  type RenderOptions,
  type TraceData,
  type TraceListener,
  type TraceMode,
  type TraceRecord,
} from './trace.ts';
export { World, type WorldState } from './world.ts';
export { History, HistoryCursor, type Change } from './history.ts';
export { AppendOnlyStore, StoreRegistry } from './append-only-store.ts';
