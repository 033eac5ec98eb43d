/**
 * kafkasim's wire-protocol gateway: a simulated cluster that real Kafka clients (kcat/librdkafka,
 * kafkajs, kafka-python) reach over loopback TCP, one listener per broker. Published as
 * `kafkasim/gateway`.
 *
 *   const gateway = await startGateway({ brokers: 3, topics: [{ name: 't', partitions: 3, replicationFactor: 2 }] });
 *   gateway.bootstrapServers;                        // '127.0.0.1:41001,127.0.0.1:41002,127.0.0.1:41003'
 *   await gateway.applyFault({ kind: 'broker-crash', broker: 2 });   // resolves once applied (port 2 refuses)
 *   gateway.state();                                 // brokers, leaders, ISRs, connections
 *   await gateway.stop();                            // rejects with the first problem met while serving (see onError)
 *
 * The signature, exactly:
 *   startGateway(options?: GatewayOptions): Promise<Gateway>
 *   GatewayOptions { brokers?: number (3); topics?: TopicSpec[]; seed?: number (1); host?: '127.0.0.1';
 *     basePort?: number (0 = OS-assigned per broker, else broker i listens on basePort + i - 1);
 *     speed?: number (virtual ms per wall ms, 1); brokerConfig?: Partial<BrokerConfig>;
 *     record?: string (a file) | true (in memory only); schedule?: ScheduledFault[] (atMs after serving starts);
 *     controlPort?: number (a loopback HTTP control endpoint: POST /fault, GET /state; 0 = OS-assigned);
 *     trace?: 'digest' | 'full' | 'off' ('digest'); onTrace?: (record) => void (narration);
 *     onError?: (error, fatal) => void; maxFrameBytes?: number (100 MiB); maxBacklogBytes?: number (4 MiB) }
 *   Gateway { bootstrapServers: string; listeners: { broker, host, port }[]; simulation: Simulation;
 *     controlAddress?: { host, port }; applyFault(fault): Promise<void> (throws at once on a bad fault);
 *     state(): GatewayState { step, virtualMs, controller, brokers, partitions, connections: { conn, node: 'wire-<n>', broker }[], text };
 *     stop(): Promise<void>; recording?: Recording (its `end` is set once stopped) }
 *   replayRecording(fileOrRecording, { trace?: 'full' | 'digest', onStart?: (sim) => void }) → { digest, expected, matches, simulation }
 */
export { startGateway, type Gateway, type GatewayOptions } from './gateway.ts';
export { replayRecording, ReplayDivergedError, type ReplayOptions, type ReplayResult } from './replay.ts';
export { parseControlLine, ControlSyntaxError, CONTROL_HELP, type ControlCommand } from './control.ts';
export { isRecordingText, parseRecording, readRecording, Recording, type LoadedRecording, type ListenerAddress, type RecordedArrival } from './recording.ts';
export type { GatewayState, BrokerView, ConnectionView, PartitionView, ReplicaView } from './state.ts';
