/** The simulated ZooKeeper coordinator: server, client handle and the znode tree. */
export { ZooKeeperServer, ZOOKEEPER_SLICE, type ZooKeeperServerOptions } from './server.ts';
export { SimZooKeeperClient, type SimZooKeeperClientOptions } from './client.ts';
export { zooKeeperSessionMachine, nextSessionState, type SessionEvent } from './session-machine.ts';
export { allPaths, lookup, statOf, type ZNode, type ZkSessionState, type ZooKeeperState } from './znode-tree.ts';
export { ZOOKEEPER_PORT } from './messages.ts';
export { renderZooKeeperTree, renderZooKeeperSessions } from './view.ts';
