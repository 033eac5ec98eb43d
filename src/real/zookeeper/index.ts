/** The real ZooKeeper backend of the coordinator interface: a client over ZooKeeper's own protocol. */
export { RealZooKeeperClient, type RealZooKeeperClientOptions } from './real-zookeeper-client.ts';
export { ZooKeeperConnectionError } from './zookeeper-connection.ts';
export { JuteDecodeError } from './jute.ts';
