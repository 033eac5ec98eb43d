/**
 * kafkasim's clients on real brokers: the client seam's real runtime (wall clock, TCP, the wire
 * codec). The same client code runs on `simRuntime` and on this, unchanged.
 *
 *   const runtime = realRuntime({ seed: 7 });
 *   const producer = new Producer(runtime, { 'metadata.broker.list': '127.0.0.1:9092', 'request.required.acks': -1 });
 *
 * The API, exactly:
 *   realRuntime(options?: RealRuntimeOptions): Runtime
 *   RealRuntimeOptions { seed?: number (1); hostName?: string (os.hostname()); clientId?: string ('kafkasim');
 *     requestTimeoutMs?: number (30,000); connectTimeoutMs?: number (30,000); maxFrameBytes?: number (100 MiB);
 *     zookeeper?: (connectString, { sessionTimeoutMs, connectionTimeoutMs }) => ZooKeeperClient;
 *     onRecord?: (kind, data, text) => void; onTaskError?: (taskName, error) => void }
 *   WireConnection.open(host, port, { connectTimeoutMs?, requestTimeoutMs?, clientId?, maxFrameBytes? }): Promise<WireConnection>
 *     (a BrokerConnection; `apiVersions` says what was negotiated per API)
 *   Errors: BrokerConnectionError (src/client/errors.ts; reason refused | timeout | reset | closed | request-timeout | unreachable),
 *     UnsupportedVersionError (no version in common), NoZooKeeperError.
 */
export { realRuntime, NoZooKeeperError, type RealRuntimeOptions } from './real-runtime.ts';
export { WireConnection, negotiatedVersions, type NegotiatedApi, type WireConnectionOptions } from './wire-connection.ts';
export { UnsupportedVersionError, type VersionRange } from './errors.ts';
export { RealZooKeeperClient, ZooKeeperConnectionError, type RealZooKeeperClientOptions } from './zookeeper/index.ts';
