/**
 * Lesson 00: the simulation kernel and a ZooKeeper session.
 *
 * A coordinator, two sessions, an ephemeral node, and a network partition that cuts one session
 * off until the server expires it: the mechanism behind every Kafka 0.8 failure story (a broker's
 * or a consumer's registration is an ephemeral znode that lives exactly as long as its session).
 *
 * With --broker it shows what a client sees of that on real brokers (the live brokers in a
 * Metadata answer) and skips the rest: the kernel, the ZooKeeper server and the partition are the
 * simulator's own.
 */
import { FaultInjector, Kernel, Network, formatMs } from '../src/sim/index.ts';
import type { KeeperState, WatchedEvent } from '../src/protocol/zookeeper.ts';
import {
  SimZooKeeperClient,
  ZooKeeperServer,
  renderZooKeeperSessions,
  renderZooKeeperTree,
  type ZooKeeperState,
} from '../src/zookeeper/index.ts';
import type { LessonBackend } from './lib/backend.ts';
import { showBrokerMetadata } from './lib/broker-metadata.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';

const SESSION_TIMEOUT_MS = 6000;

export const lesson: Lesson = {
  id: '00',
  title: 'The kernel and a ZooKeeper session',
  summary: 'Virtual time, a ZooKeeper-like coordinator, an ephemeral node, and a session that expires behind a network partition.',
  defaultSeed: 42,
  brokerSupport: 'only what a client sees of registration: the live brokers in a Metadata answer; the kernel, the ZooKeeper sessions and the network cut are skipped',
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const kernel = new Kernel({ seed: run.seed });
    const network = new Network(kernel);
    const faults = new FaultInjector(kernel, network);
    const zookeeper = new ZooKeeperServer(kernel, network, { kafkaPaths: true });
    run.watch(kernel, {
      kinds: ['zk.session', 'zk.client', 'zk.node', 'zk.watch', 'fault.', 'net.held', 'net.dropped'],
      render: (snapshot, step) => {
        const state = snapshot.zookeeper as ZooKeeperState;
        return `${renderZooKeeperTree(state)}\n\n${renderZooKeeperSessions(state, timeAt(kernel, step))}`;
      },
    });

    kernel.addNode('broker-1');
    kernel.addNode('admin');
    const broker = new SimZooKeeperClient(kernel, network, { node: 'broker-1', sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const admin = new SimZooKeeperClient(kernel, network, { node: 'admin', sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const brokerStates: Array<{ state: KeeperState; atMs: number }> = [];
    broker.onStateChange((state) => brokerStates.push({ state, atMs: kernel.nowMs }));
    const watchEvents: Array<{ event: WatchedEvent; atMs: number }> = [];

    run.heading('1. Two sessions and an ephemeral node');
    run.say(
      'A ZooKeeper server runs on its own node. broker-1 opens a session and registers itself with an\n' +
        'ephemeral node, as a Kafka broker does; admin lists /brokers/ids and leaves a child watch.',
    );
    kernel.spawn('broker-1', async () => {
      await broker.connected();
      await broker.create('/brokers/ids/1', '{"version":1,"host":"broker-1","port":9092,"jmx_port":-1}', 'ephemeral');
    }, { node: 'broker-1' });
    kernel.spawn('admin', async () => {
      await admin.connected();
      await kernel.sleep(100);
      const ids = await admin.getChildren('/brokers/ids', (event) => watchEvents.push({ event, atMs: kernel.nowMs }));
      run.say(`admin sees brokers ${JSON.stringify(ids)} and waits for a change.`);
    }, { node: 'admin' });
    await kernel.runFor(1000);
    run.say('\nThe znode tree after one virtual second:');
    run.say(renderZooKeeperTree(zookeeper.state));

    run.heading('2. The network cuts broker-1 off');
    run.say(
      `broker-1 pings every third of its ${SESSION_TIMEOUT_MS} ms timeout. Cut off, it hears nothing and drops the\n` +
        'connection after two thirds of the timeout; the server, which hears nothing either, expires the\n' +
        'session after the whole timeout and deletes its ephemeral node. The watch fires for admin.',
    );
    const cutAtMs = kernel.nowMs;
    const lastHeardBeforeCutMs = zookeeper.state.sessions[broker.sessionId!]!.lastHeardMs;
    faults.apply({ kind: 'isolate', node: 'broker-1' });
    await kernel.runFor(10_000);

    run.heading('3. The network heals');
    run.say('broker-1 reconnects to its old session and is told it has expired: its registration is gone.');
    const healAtMs = kernel.nowMs;
    faults.apply({ kind: 'heal' });
    await kernel.runUntil(() => broker.state === 'expired', { maxSteps: 100_000, description: 'broker-1 to learn of its expiry' });
    run.say('\nThe znode tree at the end:');
    run.say(renderZooKeeperTree(zookeeper.state));

    const disconnected = brokerStates.find((s) => s.state === 'disconnected');
    const expired = brokerStates.find((s) => s.state === 'expired');
    const expiry = kernel.trace.records.find((r) => r.kind === 'zk.session.expired');
    run.claim(
      'broker-1 went connected → disconnected → expired',
      JSON.stringify(brokerStates.map((s) => s.state)) === JSON.stringify(['connected', 'disconnected', 'expired']),
      JSON.stringify(brokerStates),
    );
    run.claim(
      'the server expired the session no earlier than one session timeout after it last heard from broker-1',
      expiry !== undefined && expiry.timeMs - lastHeardBeforeCutMs >= SESSION_TIMEOUT_MS,
    );
    const notified = watchEvents[0];
    run.claim(
      'the ephemeral node /brokers/ids/1 is gone, and admin’s watch fired once, one network hop after the expiry',
      !Object.prototype.hasOwnProperty.call(zookeeper.state.root.children.brokers!.children.ids!.children, '1') &&
        watchEvents.length === 1 &&
        notified!.event.type === 'NodeChildrenChanged' &&
        expiry !== undefined &&
        notified!.atMs > expiry.timeMs &&
        notified!.atMs - expiry.timeMs <= 2,
      JSON.stringify(watchEvents),
    );
    run.claim('broker-1 learned of the expiry only after the network healed', expired !== undefined && expired.atMs > healAtMs);

    run.whatYouSaw([
      `broker-1 was cut off at ${formatMs(cutAtMs)} and dropped its connection at ${formatMs(disconnected!.atMs)} (two thirds of the ${SESSION_TIMEOUT_MS} ms timeout after it last heard the server).`,
      `ZooKeeper expired its session at ${formatMs(expiry!.timeMs)} and deleted /brokers/ids/1; admin heard of it at ${formatMs(notified!.atMs)}.`,
      `The network healed at ${formatMs(healAtMs)}; broker-1 learned that its session had expired at ${formatMs(expired!.atMs)}.`,
      `A Kafka broker in this position must register again with a new session: until then, the cluster believes it is dead.`,
    ]);
  },
};

/** On real brokers: the registrations' outcome as a client sees it, and what cannot be shown. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  run.heading('1. The registered brokers, as a client sees them');
  run.say(
    'A broker that is up registers itself (in Kafka 0.8: an ephemeral znode /brokers/ids/<id> of its\n' +
      'ZooKeeper session). A client never reads those; it asks any broker for metadata, and the answer lists\n' +
      'the brokers the cluster believes alive, with the address to reach each.',
  );
  const metadata = await showBrokerMetadata(run, backend);
  const ids = metadata.brokers.map((b) => b.id);
  run.claim(
    `the metadata lists ${ids.length} live broker(s), each once, with a host and a port`,
    ids.length > 0 && new Set(ids).size === ids.length && metadata.brokers.every((b) => b.host.length > 0 && b.port > 0),
  );
  run.skipped(
    'the kernel, the ZooKeeper sessions and ephemeral node, the network cut and the session expiry (steps 1-3)',
    "they are the simulator's own; a client of a real broker has no ZooKeeper address and cannot cut the network; run without --broker to see them",
  );
  run.whatYouSaw([
    `The brokers at ${backend.bootstrapServers} named ${ids.length} live broker(s): ${[...ids].sort((a, b) => a - b).join(', ')}.`,
    'A broker whose registration is gone (its session expired) drops out of this list: to a client it is dead.',
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the line starting "Skipped on a real broker").`,
  ]);
}

function timeAt(kernel: Kernel, step: number): number {
  const record = [...kernel.trace.records].reverse().find((r) => r.step <= step);
  return record?.timeMs ?? 0;
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
