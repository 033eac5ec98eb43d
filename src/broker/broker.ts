/**
 * One Kafka 0.8.2 broker (`kafka.server.KafkaServer`) as a node of the simulation: the machine
 * and its disk persist, the process comes and goes.
 *
 * Start-up follows KafkaServer.startup: a ZooKeeper session and the common paths, the logs on
 * disk (recovery after an unclean shutdown), the socket server, the replica manager, the
 * controller (which runs for election), then registration of the ephemeral /brokers/ids/<id>
 * (`KafkaHealthcheck`, re-registered in every new session). Topic-level config overrides are read
 * from /config/topics and watched.
 *
 * A crash kills the process: timers, tasks and connections die with it, the ZooKeeper session
 * lives on until the server expires it. What the disk keeps depends on the crash: a process crash
 * keeps everything the OS had (all appended data); a power loss keeps only what was flushed
 * (`log.flush.interval.messages`/`.ms`; 0.8.2 never flushes by default, so a power loss loses
 * everything written since the last clean shutdown: the OS's own page-cache write-back is not
 * modelled) and the last high-watermark checkpoint; a wiped disk keeps nothing. A clean shutdown
 * runs controlled shutdown first when `controlled.shutdown.enable` (3 attempts, 5 s apart), then
 * flushes and checkpoints, and closes the session so that its ephemeral nodes go at once.
 */
import type { BrokerEndpoint } from '../protocol/api.ts';
import type { MessageBatch } from '../protocol/message.ts';
import { ZkClient } from '../protocol/zk-client.ts';
import { KAFKA_COMMON_PATHS, ZkPaths, brokerIdPath, topicConfigPath } from '../protocol/zk-paths.ts';
import {
  createEphemeralPathExpectConflictHandleZKBug,
  getChildrenParentMayNotExist,
  makeSurePersistentPathExists,
  readDataMaybeNull,
} from '../protocol/zk-utils.ts';
import { encodeBrokerRegistration, parseBrokerRegistration, parseControllerId, parseTopicConfig } from '../protocol/zk-data.ts';
import type { StoreRegistry } from '../sim/append-only-store.ts';
import { nodeEnvironment } from '../sim/environment.ts';
import { causeMessage } from '../sim/errors.ts';
import type { Kernel } from '../sim/kernel.ts';
import type { Network } from '../sim/network.ts';
import { SimZooKeeperClient } from '../zookeeper/client.ts';
import { BrokerChannel } from './broker-channel.ts';
import { brokerState, type BrokerContext } from './broker-context.ts';
import { resolveTopicConfig, topicOverridesFromProperties, type BrokerConfig, type TopicConfig } from './config.ts';
import { KafkaController } from './controller/controller.ts';
import { GroupCoordinator } from './coordinator/group-coordinator.ts';
import type { BrokerObserver } from './handlers/api-context.ts';
import { handleRequest } from './kafka-apis.ts';
import { Log } from './log/log.ts';
import { ReplicaManager } from './replica-manager.ts';
import { SocketServer } from './socket-server.ts';
import { BROKERS_SLICE, emptyBrokerState, type BrokersState } from './state.ts';

export type CrashMode = 'process' | 'power-loss' | 'disk-wipe';

export interface BrokerOptions {
  readonly id: number;
  readonly config: BrokerConfig;
  readonly kernel: Kernel;
  readonly network: Network;
  readonly stores: StoreRegistry<MessageBatch>;
  readonly zookeeper: { readonly node: string; readonly port: number };
  readonly endpointOf: (id: number) => BrokerEndpoint;
  readonly observer: BrokerObserver;
}

/** The running incarnation: everything a crash throws away. */
interface BrokerProcess {
  readonly ctx: BrokerContext;
  readonly socketServer: SocketServer;
  readonly replicaManager: ReplicaManager;
  readonly controller: KafkaController;
  readonly zk: ZkClient;
  readonly topicConfigs: Map<string, TopicConfig>;
}

export class Broker {
  readonly id: number;
  readonly node: string;
  private process: BrokerProcess | undefined;

  constructor(private readonly options: BrokerOptions) {
    this.id = options.id;
    this.node = `broker-${options.id}`;
    const { kernel } = options;
    if (!kernel.hasNode(this.node)) kernel.addNode(this.node);
    kernel.act('broker registered', () => {
      kernel.world.touch(BROKERS_SLICE);
      (kernel.world.state[BROKERS_SLICE] as BrokersState)[this.id] = emptyBrokerState(this.id);
    });
  }

  get config(): BrokerConfig {
    return this.options.config;
  }

  /** True while a process runs (from start-up until a crash or a shutdown). */
  get running(): boolean {
    return this.process !== undefined;
  }

  /** The controller module of the running process (for tests and views). */
  get controller(): KafkaController | undefined {
    return this.process?.controller;
  }

  /** Starts a new process (the node must be down). */
  start(): void {
    if (this.process !== undefined) return;
    const { kernel } = this.options;
    kernel.reviveNode(this.node);
    kernel.act(`broker ${this.id} start`, () => {
      const state = brokerState({ kernel, brokerId: this.id });
      state.incarnation++;
      state.status = state.disk.cleanShutdown ? 'Starting' : state.incarnation === 1 ? 'Starting' : 'RecoveringFromUncleanShutdown';
      state.disk.cleanShutdown = false;
    });
    this.process = this.createProcess();
    const ctx = this.process.ctx;
    ctx.narrate('broker.starting', { broker: this.id }, `Broker ${this.id} starts.`);
    kernel.spawn(`${this.node}/startup`, () => this.startup(this.process!), { node: this.node });
  }

  /** Kills the process; `mode` decides what its disk keeps. */
  crash(mode: CrashMode = 'process'): void {
    const { kernel, network } = this.options;
    kernel.act(`broker ${this.id} crash`, () => {
      const process = this.process;
      this.process = undefined;
      if (process !== undefined) {
        process.ctx.narrate(
          'broker.crashed',
          { broker: this.id, mode },
          mode === 'process'
            ? `Broker ${this.id} crashes; its disk keeps everything the OS had.`
            : mode === 'power-loss'
              ? `Broker ${this.id} loses power; its disk keeps only what was flushed.`
              : `Broker ${this.id} crashes and its disk is wiped.`,
        );
      }
      kernel.killNode(this.node);
      network.dropConnectionsOf(this.node, { notifyPeers: mode === 'process' });
      const state = brokerState({ kernel, brokerId: this.id });
      if (mode === 'power-loss') {
        for (const [key, ref] of Object.entries(state.disk.logs)) {
          const log = Log.restore({ registry: this.options.stores, nowMs: kernel.nowMs }, ref);
          log.loseUnflushed();
          state.disk.logs[key] = log.ref;
        }
      } else if (mode === 'disk-wipe') {
        state.disk.logs = {};
        state.disk.highWatermarkCheckpoint = {};
      }
      state.status = 'NotRunning';
      state.zkSession = null;
      state.partitions = {};
      state.controller = null;
      state.controllerId = -1;
      state.metadata = { aliveBrokers: [], partitions: {} };
      delete state.groups;
    });
  }

  /** Restarts after a crash or a shutdown. */
  restart(): void {
    this.start();
  }

  /** A clean shutdown (`KafkaServer.shutdown`); resolves when the process has exited. */
  async shutdown(): Promise<void> {
    const process = this.process;
    if (process === undefined) return;
    const { ctx, socketServer, replicaManager, controller, zk } = process;
    const state = () => brokerState(ctx);
    if (ctx.config['controlled.shutdown.enable']) {
      state().status = 'PendingControlledShutdown';
      await this.controlledShutdown(process);
    }
    state().status = 'BrokerShuttingDown';
    socketServer.shutdown();
    replicaManager.shutdown();
    for (const [key, log] of ctx.logs) {
      log.flush(ctx.kernel.nowMs);
      replicaManager.partitions.syncLog(key);
      state().disk.logs[key] = log.ref;
    }
    await controller.shutdown();
    await zk.close();
    ctx.narrate('broker.stopped', { broker: this.id }, `Broker ${this.id} shut down cleanly.`);
    ctx.kernel.act(`broker ${this.id} exit`, () => {
      this.process = undefined;
      const s = state();
      s.disk.cleanShutdown = true;
      s.status = 'NotRunning';
      s.zkSession = null;
      s.partitions = {};
      s.controller = null;
      s.controllerId = -1;
      s.metadata = { aliveBrokers: [], partitions: {} };
      delete s.groups;
      this.options.network.dropConnectionsOf(this.node, { notifyPeers: true });
      this.options.kernel.killNode(this.node);
    });
  }

  /** The session id of the running process's ZooKeeper session, if connected. */
  get zkSessionId(): string | undefined {
    return this.process?.zk.sessionId;
  }

  // ---------------------------------------------------------------- internals

  private createProcess(): BrokerProcess {
    const { kernel, network, config, stores, endpointOf, observer } = this.options;
    const node = this.node;
    const incarnation = kernel.node(node).incarnation;
    const env = nodeEnvironment(kernel, node, `${node}#${brokerState({ kernel, brokerId: this.id }).incarnation}`);
    const topicConfigs = new Map<string, TopicConfig>();
    const defaultTopicConfig = resolveTopicConfig(config, undefined);
    const zk = new ZkClient(env, {
      name: `${node}/zk-event-thread`,
      connect: () =>
        new SimZooKeeperClient(kernel, network, {
          node,
          server: this.options.zookeeper.node,
          port: this.options.zookeeper.port,
          sessionTimeoutMs: config['zookeeper.session.timeout.ms'],
          connectionTimeoutMs: config['zookeeper.connection.timeout.ms'],
        }),
    });
    const ctx: BrokerContext = {
      brokerId: this.id,
      node,
      config,
      kernel,
      network,
      env,
      zk,
      stores,
      logs: new Map(),
      topicConfig: (topic) => topicConfigs.get(topic) ?? defaultTopicConfig,
      endpointOf,
      alive: () => kernel.node(node).incarnation === incarnation && kernel.node(node).alive,
      halt: (reason) => {
        ctx.narrate('broker.halted', { broker: this.id, reason }, `Broker ${this.id} halts: ${reason}.`);
        this.crash('process');
      },
      narrate: (kind, data, text) => {
        if (kernel.trace.enabled) kernel.trace.record(node, kind, data, text);
      },
    };
    zk.onStateChange((state) => {
      const broker = brokerState(ctx);
      broker.zkSession = state === 'connected' ? (zk.sessionId ?? null) : broker.zkSession;
    });
    const replicaManager = new ReplicaManager(ctx);
    const controller = new KafkaController(ctx);
    // The group coordinator lives in the process's memory: a crash loses every group's membership.
    const api = { ctx, replicaManager, controller, groupCoordinator: new GroupCoordinator(ctx, replicaManager), observer };
    const socketServer = new SocketServer(ctx, (request, channel) => handleRequest(api, request, channel));
    return { ctx, socketServer, replicaManager, controller, zk, topicConfigs };
  }

  private async startup(process: BrokerProcess): Promise<void> {
    const { ctx, zk, socketServer, replicaManager, controller, topicConfigs } = process;
    await zk.waitUntilConnected();
    brokerState(ctx).zkSession = zk.sessionId ?? null;
    for (const path of KAFKA_COMMON_PATHS) await makeSurePersistentPathExists(zk, path);
    await this.loadTopicConfigs(process);
    zk.subscribeChildChanges(ZkPaths.topicConfig, async (topics) => {
      for (const topic of topics ?? []) if (!topicConfigs.has(topic)) await this.loadTopicConfig(process, topic);
    });
    socketServer.startup();
    brokerState(ctx).status = 'RunningAsBroker';
    replicaManager.startup();
    await controller.startup();
    await this.register(process);
    zk.onNewSession(async () => {
      ctx.narrate('broker.session-renewed', { broker: this.id, session: zk.sessionId ?? null }, `Broker ${this.id}'s ZooKeeper session expired; it opened session ${zk.sessionId} and registers again.`);
      await this.register(process);
    });
    ctx.narrate('broker.started', { broker: this.id, session: zk.sessionId ?? null }, `Broker ${this.id} is up (ZooKeeper session ${zk.sessionId}).`);
  }

  /** `KafkaHealthcheck.register`: the ephemeral /brokers/ids/<id>. */
  private async register(process: BrokerProcess): Promise<void> {
    const { ctx, zk } = process;
    const endpoint = ctx.endpointOf(this.id);
    const data = encodeBrokerRegistration({ host: endpoint.host, port: endpoint.port, jmxPort: -1, timestampMs: ctx.kernel.nowMs });
    await createEphemeralPathExpectConflictHandleZKBug(zk, {
      path: brokerIdPath(this.id),
      data,
      isOurs: (stored) => {
        try {
          const registration = parseBrokerRegistration(stored);
          return registration.host === endpoint.host && registration.port === endpoint.port;
        } catch {
          return false;
        }
      },
      backoffMs: ctx.config['zookeeper.session.timeout.ms'],
      sleep: (ms) => ctx.env.sleep(ms),
    });
    ctx.narrate('broker.registered', { broker: this.id, path: brokerIdPath(this.id) }, `Broker ${this.id} registered ${brokerIdPath(this.id)} (ephemeral).`);
  }

  private async loadTopicConfigs(process: BrokerProcess): Promise<void> {
    for (const topic of await getChildrenParentMayNotExist(process.zk, ZkPaths.topicConfig)) await this.loadTopicConfig(process, topic);
  }

  private async loadTopicConfig(process: BrokerProcess, topic: string): Promise<void> {
    const stored = await readDataMaybeNull(process.zk, topicConfigPath(topic));
    if (stored === null) return;
    const overrides = topicOverridesFromProperties(parseTopicConfig(stored.data));
    process.topicConfigs.set(topic, resolveTopicConfig(process.ctx.config, overrides));
  }

  /** `KafkaServer.controlledShutdown`: ask the controller to move leadership away, up to 3 times. */
  private async controlledShutdown(process: BrokerProcess): Promise<void> {
    const { ctx, zk } = process;
    const attempts = ctx.config['controlled.shutdown.max.retries'];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const controllerData = await readDataMaybeNull(zk, ZkPaths.controller);
      const controllerId = controllerData === null ? -1 : parseControllerId(controllerData.data);
      if (controllerId >= 0) {
        const channel = new BrokerChannel(ctx, controllerId, ctx.config['controller.socket.timeout.ms']);
        try {
          const response = await channel.request({ api: 'ControlledShutdown', clientId: `broker-${this.id}`, correlationId: 0, brokerId: this.id });
          if (response.errorCode === 0 && response.partitionsRemaining.length === 0) {
            ctx.narrate('broker.controlled-shutdown-done', { broker: this.id }, `Broker ${this.id}: controlled shutdown succeeded; it leads no replicated partition any more.`);
            channel.close();
            return;
          }
          ctx.narrate(
            'broker.controlled-shutdown-retry',
            { broker: this.id, attempt, remaining: response.partitionsRemaining.length, error: response.errorCode },
            `Broker ${this.id}: controlled shutdown attempt ${attempt} left ${response.partitionsRemaining.length} partition(s) led here.`,
          );
        } catch (error) {
          ctx.narrate('broker.controlled-shutdown-retry', { broker: this.id, attempt, error: causeMessage(error) }, `Broker ${this.id}: controlled shutdown attempt ${attempt} failed: ${causeMessage(error)}.`);
        } finally {
          channel.close();
        }
      }
      if (attempt < attempts) await ctx.env.sleep(ctx.config['controlled.shutdown.retry.backoff.ms']);
    }
    ctx.narrate('broker.unclean-shutdown', { broker: this.id }, `Broker ${this.id}: controlled shutdown failed after ${attempts} attempts; proceeding to do an unclean shutdown.`);
  }
}
