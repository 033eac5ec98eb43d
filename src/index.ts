/**
 * kafkasim: a deterministic, in-memory Kafka 0.8.2 cluster and the clients of the 0.8 era.
 *
 *   const sim = await createSimulation({ seed: 1, brokers: 3, topics: [{ name: 't', partitions: 3, replicationFactor: 2 }] });
 *   const app = ClientProcess.on(sim, 'app');
 *   const task = app.run('send', async (runtime) => {
 *     const producer = new Producer(runtime, { 'metadata.broker.list': sim.bootstrapServers, 'request.required.acks': -1 });
 *     await producer.send(keyedMessage('t', 'key', 'value'));
 *     await producer.close();
 *   });
 *   await sim.runUntil(() => task.settled);
 *
 * Property-based testing lives in `kafkasim/testing`.
 */

// The cluster.
export { createSimulation, Simulation, type SimulationOptions, type TopicSpec } from './broker/simulation.ts';
export { Broker, type CrashMode } from './broker/broker.ts';
export type { BrokerConfig, TopicConfig } from './broker/config.ts';
export type { BrokerFault } from './broker/broker-faults.ts';
export { defaultInvariants, InvariantMonitor, InvariantViolationError, type InvariantChecker, type InvariantViolation } from './broker/invariants.ts';
export { renderBrokers, renderCluster, renderPartitions, type ClusterSnapshot } from './broker/view.ts';

// Client applications in a simulation, and the client seam.
export { ClientProcess, ClientTask, ClientKilledError } from './client/client-process.ts';
export { simRuntime } from './client/sim-runtime.ts';
export type { BrokerConnection, Runtime } from './client/runtime.ts';

// Producers.
export { Producer, keyedMessage, type KeyedMessage, type ProducerOptions } from './client/producer/producer.ts';
export type { ProducerConfig, ProducerConfigInput } from './client/producer/config.ts';
export { ProducerLedger, LedgerEntry, type Fate, type LedgerSummary } from './client/producer/ledger.ts';
export { defaultPartitioner, simplePartitioner, PARTITIONER_CLASSES, type Partitioner } from './client/partitioners.ts';

// The group consumption model (ZooKeeper-based high-level consumer).
export { ZookeeperConsumerConnector } from './client/group/connector.ts';
export { CoordinatorConsumerConnector } from './client/group/coordinator-connector.ts';
export { createConsumerConnector, type ConsumerConnector } from './client/group/consumer-connector.ts';
export { KafkaStream, type MessageAndMetadata } from './client/group/stream.ts';
export type { ConsumerConfig, ConsumerConfigInput } from './client/group/config.ts';
export { assignPartitions, rangeAssign, roundRobinAssign, type GroupAssignment, type PartitionOwnership } from './client/assignors.ts';
export { consume, checkDelivery, OutputStore, type DeliverySemantics, type DeliveryReport, type ProcessedRecord } from './client/delivery.ts';

// The partition consumption model: Java's SimpleConsumer and the article's loop, kafka-python's clients.
export { SimpleConsumer, type SimpleConsumerConfig, type SimpleFetchResponse } from './client/simple-consumer.ts';
export { findLeader, findNewLeader, getLastOffset, readPartition, PartitionReadAbortedError, type PartitionReadReport, type ReadPartitionOptions } from './client/partition-failover.ts';
export { KafkaClient, type KafkaClientOptions } from './client/kafka-client.ts';
export { PartitionConsumer, type ConsumedMessage, type PartitionConsumerOptions } from './client/partition-consumer.ts';

// Errors.
export {
  BrokerConnectionError,
  ClosedError,
  ConfigError,
  ConsumerRebalanceFailedError,
  ConsumerTimeoutError,
  FailedToSendMessageError,
  FetchSizeTooSmallError,
  MetadataFetchError,
  ProducerClosedError,
  QueueFullError,
} from './client/errors.ts';
export { ErrorCode, errorName, isRetriable, kafkaErrorFor, KafkaError } from './protocol/errors.ts';
export { KafkasimError, InvalidArgumentError, UnknownNameError } from './sim/errors.ts';

// Protocol and the kernel, for tools.
export type { KafkaRequest, KafkaResponse } from './protocol/api.ts';
export { describeRequest, describeResponse } from './protocol/describe.ts';
export { createMessage, payloadToString, type Message, type Payload } from './protocol/message.ts';
export { Kernel, FaultInjector, formatMs, type Fault, type ScheduledFault, type TraceMode, type TraceRecord } from './sim/index.ts';
