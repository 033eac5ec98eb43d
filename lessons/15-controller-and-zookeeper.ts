/**
 * Lesson 15: the controller and ZooKeeper.
 *
 * Brokers register as ephemeral /brokers/ids/<id> znodes; the first to create the ephemeral
 * /controller znode is the controller and bumps /controller_epoch. On a broker failure the
 * controller elects new leaders and tells the brokers (LeaderAndIsr, UpdateMetadata). When the
 * controller itself dies, another broker takes over with epoch + 1. A controller that only
 * stalled (a long GC pause) comes back as a zombie: its requests carry the old epoch, and brokers
 * that have seen the new one refuse them with StaleControllerEpoch (11).
 *
 * With --broker it shows what a client sees of the controller's work on real brokers (Metadata:
 * the live brokers, the controller id, each partition's leader and ISR) and skips the rest.
 */
import type { Simulation } from '../src/broker/simulation.ts';
import { formatMs } from '../src/sim/index.ts';
import { lookup } from '../src/zookeeper/znode-tree.ts';
import { showCluster, startCluster } from './lib/cluster.ts';
import { tapControllerWire } from './lib/controller-wire.ts';
import type { LessonBackend } from './lib/backend.ts';
import { showBrokerMetadata } from './lib/broker-metadata.ts';
import { isMainModule, lessonMain, type Lesson, type LessonRun } from './lib/lesson-kit.ts';
import { fullyInSync, zkPartitionState } from './lib/partition-state.ts';

const TOPIC = 'jiketest';
const PARTITIONS = 3;
const BROKERS = [1, 2, 3];
const SESSION_TIMEOUT_MS = 6000;

export const lesson: Lesson = {
  id: '15',
  title: 'The controller and ZooKeeper',
  summary: 'Broker registration, controller election and epoch, what the controller does when a broker fails, controller failover, and a zombie controller fenced by its stale epoch.',
  defaultSeed: 15,
  brokerSupport: "only what a client sees of the controller's work: the controller id, the live brokers, each partition's leader and ISR (Metadata); the znodes, the broker and controller failures and the zombie are skipped",
  async run(run) {
    if (run.backend.kind === 'broker') return runOnBroker(run, run.backend);
    const sim = await startCluster(run, {
      brokers: 3,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 3 }],
      narrate: ['fault.', 'zk.session.expired', 'controller.', 'partition.leader.elected', 'isr.shrunk', 'leader-and-isr.stale-controller', 'broker.registered'],
      quiet: ['controller.send-failed', 'controller.broker-change', 'controller.imbalance', 'controller.preferred-election'],
    });
    await sim.runFor(1_000);
    const wire = tapControllerWire(run, sim);
    wire.narrate = false;

    run.heading('1. What ZooKeeper holds');
    run.say(
      'Each broker, once started, creates an ephemeral znode /brokers/ids/<id>: it lives exactly as long as\n' +
        `the broker's ZooKeeper session (zookeeper.session.timeout.ms=${SESSION_TIMEOUT_MS}). Every broker also tries to create the\n` +
        'ephemeral /controller; the first one wins, becomes the controller and increments /controller_epoch.',
    );
    const firstController = sim.controllerId!;
    showZnodes(run, sim);
    run.claim(
      `every broker is registered by an ephemeral znode, and /controller names broker ${firstController} with epoch 1`,
      BROKERS.every((id) => lookup(sim.zookeeper.state, `/brokers/ids/${id}`)?.ephemeralOwner !== null) && controllerZnode(sim) === firstController && controllerEpoch(sim) === 1,
    );

    // ------------------------------------------------------------------ a broker fails
    const victim = BROKERS.find((id) => id !== firstController && ledPartitions(sim, id).length > 0)!;
    run.heading(`2. A broker fails: broker ${victim}`);
    run.say(
      `Broker ${victim} leads ${ledPartitions(sim, victim).map((p) => `${TOPIC}-${p}`).join(', ')}. It crashes. Nothing happens until ZooKeeper expires its session and\n` +
        `deletes /brokers/ids/${victim}; the controller watches /brokers/ids and then moves leadership, writing each\n` +
        'new leader and ISR to the partition\'s state znode and telling the brokers (requests shown as they leave):',
    );
    const leaderEpochsBefore = Array.from({ length: PARTITIONS }, (_, p) => zkPartitionState(sim, TOPIC, p).leaderEpoch);
    const victimLed = ledPartitions(sim, victim);
    sim.applyFault({ kind: 'broker-crash', broker: victim });
    const crashMs = sim.kernel.nowMs;
    wire.narrate = true;
    const requestsBefore = wire.requests.length;
    await sim.runUntil(() => victimLed.every((p) => sim.leaderOf(TOPIC, p) !== victim && sim.leaderOf(TOPIC, p) !== undefined), { description: 'new leaders' });
    await sim.runFor(200);
    wire.narrate = false;
    const failureRequests = wire.requests.slice(requestsBefore);
    const gone = lookup(sim.zookeeper.state, `/brokers/ids/${victim}`) === undefined;
    showCluster(run, sim, [TOPIC]);
    const expiredMs = sim.kernel.trace.records.find((r) => r.kind === 'zk.session.expired' && r.data['client'] === `broker-${victim}` && r.timeMs >= crashMs)?.timeMs;
    run.claim(
      `the controller acted only once ZooKeeper had expired broker ${victim}'s session (${formatMs((expiredMs ?? crashMs) - crashMs)} after the crash) and deleted /brokers/ids/${victim}; then it sent LeaderAndIsr and UpdateMetadata`,
      gone &&
        expiredMs !== undefined &&
        failureRequests.length > 0 &&
        failureRequests[0]!.atMs >= expiredMs &&
        failureRequests.some((r) => r.api === 'LeaderAndIsr') &&
        failureRequests.some((r) => r.api === 'UpdateMetadata') &&
        failureRequests.every((r) => r.from === `broker-${firstController}` && r.to !== `broker-${victim}`),
    );
    run.claim(
      'every partition that lost its leader got a new one with leader epoch + 1',
      victimLed.every((p) => zkPartitionState(sim, TOPIC, p).leaderEpoch === leaderEpochsBefore[p]! + 1),
    );
    run.say(`Broker ${victim} restarts and registers again; the controller sends it the current state and it follows.`);
    sim.applyFault({ kind: 'broker-restart', broker: victim });
    await settle(sim);

    // ------------------------------------------------------------------ the controller fails
    run.heading(`3. The controller fails: broker ${firstController}`);
    run.say(
      `Broker ${firstController} crashes. Its /controller znode goes with its session; every broker watches /controller\n` +
        'and runs for election again: the first to create the znode wins and bumps /controller_epoch.',
    );
    sim.applyFault({ kind: 'broker-crash', broker: firstController });
    await sim.runUntil(() => controllerZnode(sim) !== undefined && controllerZnode(sim) !== firstController && activeController(sim) !== undefined, {
      description: 'a new controller',
    });
    const secondController = activeController(sim)!;
    await sim.runFor(200);
    showZnodes(run, sim);
    run.claim(`broker ${secondController} is the new controller, with controller epoch 2`, controllerZnode(sim) === secondController && controllerEpoch(sim) === 2);
    run.say(`Broker ${firstController} restarts: it finds /controller taken and stays an ordinary broker.`);
    sim.applyFault({ kind: 'broker-restart', broker: firstController });
    await settle(sim);
    run.claim(`the restarted broker ${firstController} did not take the controller back`, activeController(sim) === secondController && controllerZnode(sim) === secondController);

    // ------------------------------------------------------------------ a zombie controller
    const controller = secondController;
    run.heading(`4. A zombie controller: broker ${controller} stalls`);
    run.say('First a preferred replica election (kafka-preferred-replica-election.sh) puts every partition back on\nits first replica:');
    await sim.preferredReplicaElection(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    await sim.runUntil(
      () => lookup(sim.zookeeper.state, '/admin/preferred_replica_election') === undefined && Array.from({ length: PARTITIONS }, (_, p) => p).every((p) => sim.leaderOf(TOPIC, p) === preferredReplica(sim, p)),
      { description: 'the preferred replica election' },
    );
    await settle(sim);
    const leader = BROKERS.find((id) => id !== controller && ledPartitions(sim, id).length > 0)!;
    const bystander = BROKERS.find((id) => id !== controller && id !== leader)!;
    const zombieEpoch = controllerEpoch(sim);
    run.say(
      `The network now cuts controller ${controller} off from broker ${bystander}, and broker ${leader}, a partition leader, crashes.\n` +
        `Controller ${controller} elects new leaders, but its requests to broker ${bystander} do not get through: the channel\n` +
        'sends one request at a time per broker, and the answers are held up by the cut.',
    );
    sim.applyFault({ kind: 'partition', groups: [[`broker-${controller}`], [`broker-${bystander}`]] });
    const moved = ledPartitions(sim, leader);
    sim.applyFault({ kind: 'broker-crash', broker: leader });
    wire.narrate = true;
    // Only the zombie's requests to the cut-off broker, and refusals.
    wire.only = (from, to, kind) => (kind === 'request' && from === `broker-${controller}` && to === `broker-${bystander}`) || kind === 'refusal';
    await sim.runUntil(() => moved.every((p) => zkPartitionState(sim, TOPIC, p).leader !== leader), { description: 'the controller to elect new leaders' });
    await sim.runFor(100);
    run.say(
      `\nNow controller ${controller} freezes in a long GC pause, longer than its session timeout. ZooKeeper expires its\n` +
        `session and deletes /controller; broker ${bystander} wins the election:`,
    );
    sim.applyFault({ kind: 'pause', node: `broker-${controller}` });
    const pausedMs = sim.kernel.nowMs;
    await sim.runUntil(() => sim.brokerStates[bystander]!.controller !== null, { description: 'a new controller while the old one is paused' });
    await sim.runUntil(() => sim.brokerStates[bystander]!.controllerEpoch === zombieEpoch + 1, { description: 'the new controller epoch to reach its broker' });
    const thirdController = bystander;
    run.say(
      `\nZooKeeper says controller ${controllerZnode(sim)}, epoch ${controllerEpoch(sim)}; broker ${controller}, asleep, still believes it is the controller\n` +
        `(epoch ${sim.brokerStates[controller]!.controller?.epoch}). The network heals, and ${formatMs(sim.kernel.nowMs - pausedMs)} into its pause the zombie wakes:`,
    );
    const refusalsBefore = wire.refusals.length;
    sim.applyFault({ kind: 'heal' });
    sim.applyFault({ kind: 'resume', node: `broker-${controller}` });
    const wokeMs = sim.kernel.nowMs;
    await sim.runUntil(() => sim.brokerStates[controller]!.controller === null && lookup(sim.zookeeper.state, `/brokers/ids/${controller}`) !== undefined, {
      description: 'the zombie to resign and register again',
    });
    await sim.runFor(500);
    wire.narrate = false;
    const refusals = wire.refusals.slice(refusalsBefore);
    const staleLeaderAndIsr = refusals.filter((r) => r.api === 'LeaderAndIsr' && r.errorCode === 11 && r.from === `broker-${bystander}` && r.to === `broker-${controller}`);
    const sentAwake = wire.requests.filter((r) => r.from === `broker-${controller}` && r.to === `broker-${bystander}` && r.controllerEpoch === zombieEpoch && r.atMs >= wokeMs);
    run.claim(
      `awake, the zombie still sent requests with epoch ${zombieEpoch}; broker ${bystander} refused its LeaderAndIsr with StaleControllerEpoch, error code 11`,
      sentAwake.length > 0 && staleLeaderAndIsr.length > 0 && sim.brokerStates[bystander]!.controllerEpoch === zombieEpoch + 1,
    );
    run.claim(
      `the zombie resigned; broker ${thirdController} stays the controller with epoch ${zombieEpoch + 1}`,
      activeController(sim) === thirdController && controllerZnode(sim) === thirdController && controllerEpoch(sim) === zombieEpoch + 1,
    );
    const staleUpdates = refusals.filter((r) => r.api === 'UpdateMetadata');
    run.say(
      (staleUpdates.length > 0
        ? 'Its UpdateMetadata requests were refused too, answered -1 (Unknown) rather than 11: 0.8.2.2\'s\n' +
          'UpdateMetadataRequest.handleError maps the exception\'s cause (none) instead of its class.\n'
        : '') +
        `In ZooKeeper the zombie is fenced as well: its session, and /controller with it, is gone, and a state znode\n` +
        `that carries a newer controller_epoch makes an older controller abort its change. Broker ${controller} resigned when it\n` +
        'saw its session had expired, and registered again as an ordinary broker.',
    );
    sim.applyFault({ kind: 'broker-restart', broker: leader });
    await settle(sim);
    showZnodes(run, sim);

    run.whatYouSaw([
      `Brokers ${BROKERS.join(', ')} registered as ephemeral /brokers/ids znodes; broker ${firstController} created /controller first (epoch 1).`,
      `Nothing happened for broker ${victim}'s crash until its session expired; then controller ${firstController} sent ${failureRequests.filter((r) => r.api === 'LeaderAndIsr').length} LeaderAndIsr, ${failureRequests.filter((r) => r.api === 'UpdateMetadata').length} UpdateMetadata.`,
      `Controller ${firstController}'s crash made broker ${secondController} the controller, epoch 2; the returning broker ${firstController} stayed a follower.`,
      `Paused past its session, controller ${controller} lost to broker ${thirdController} (epoch ${zombieEpoch + 1}); awake, its ${sentAwake.length} epoch-${zombieEpoch} requests were refused (LeaderAndIsr: error 11).`,
      `/controller_epoch went 1 → 2 → ${controllerEpoch(sim)}: the fencing token every controller request carries.`,
    ]);
  },
};

/** /brokers/ids, /controller and /controller_epoch: data, and whose session an ephemeral node belongs to. */
/** On real brokers: the controller's decisions as Metadata shows them to a client, and what cannot be shown. */
async function runOnBroker(run: LessonRun, backend: LessonBackend & { kind: 'broker' }): Promise<void> {
  run.heading('1. The controller and its decisions, as a client sees them');
  run.say(
    'A client never reads ZooKeeper. What it sees of the controller is in a Metadata answer (v1+): which\n' +
      `broker is the controller, the live brokers, and for each partition of ${TOPIC} the leader and ISR the\n` +
      'controller chose and told the brokers (LeaderAndIsr, UpdateMetadata).',
  );
  const metadata = await showBrokerMetadata(run, backend, [TOPIC]);
  const live = new Set(metadata.brokers.map((b) => b.id));
  const partitions = metadata.topics.find((t) => t.topic === TOPIC)?.partitions ?? [];
  if (live.has(metadata.controllerId)) {
    run.claim(`the metadata names a controller, broker ${metadata.controllerId}, and it is one of the ${live.size} live brokers`, live.has(metadata.controllerId));
  } else {
    run.skipped(
      'the claim about the controller',
      metadata.controllerId < 0
        ? 'this broker answered Metadata v0, which has no controller field'
        : `this broker names controller ${metadata.controllerId}, which is not one of its live brokers (librdkafka's mock cluster answers 0): nothing more can be said of it`,
    );
  }
  run.claim(
    `each of the ${partitions.length} partitions of ${TOPIC} has a live leader that is in its ISR, and its ISR is among its replicas`,
    partitions.length > 0 && partitions.every((p) => live.has(p.leader) && p.isr.includes(p.leader) && p.isr.every((id) => p.replicas.includes(id))),
  );
  run.skipped(
    "the znodes (/brokers/ids, /controller, /controller_epoch, the partitions' state), the broker failure, the controller failover and the zombie controller (steps 1-4)",
    'a client of a real broker reads no ZooKeeper and cannot crash or pause brokers; run without --broker to see them',
  );
  run.whatYouSaw([
    `${live.has(metadata.controllerId) ? `Broker ${metadata.controllerId} is the controller` : 'No live broker was named as the controller'} of the ${live.size} live broker(s) at ${backend.bootstrapServers}.`,
    `Leaders of ${TOPIC}: ${partitions.map((p) => `${TOPIC}-${p.partition} → ${p.leader} (ISR ${p.isr.join(',')})`).join('; ')}.`,
    `Skipped here: ${run.skips.length} part(s) that need the simulator (see the line starting "Skipped on a real broker").`,
  ]);
}

function showZnodes(run: LessonRun, sim: Simulation): void {
  const zk = sim.zookeeper.state;
  const paths = [...Object.keys(lookup(zk, '/brokers/ids')?.children ?? {}).sort().map((id) => `/brokers/ids/${id}`), '/controller', '/controller_epoch'];
  run.table(
    ['znode', 'data', 'kind'],
    paths.map((path) => {
      const node = lookup(zk, path);
      if (node === undefined) return [path, '(none)', ''];
      const owner = node.ephemeralOwner === null ? undefined : zk.sessions[node.ephemeralOwner];
      return [path, brief(node.data), node.ephemeralOwner === null ? `persistent, version ${node.version}` : `ephemeral, session ${node.ephemeralOwner} of ${owner?.client ?? '?'}`];
    }),
  );
}

function brief(data: string): string {
  return data.replace(/,?"timestamp":"\d+"/, '').replace(/^\{,/, '{');
}

function controllerZnode(sim: Simulation): number | undefined {
  const node = lookup(sim.zookeeper.state, '/controller');
  return node === undefined ? undefined : (JSON.parse(node.data) as { brokerid: number }).brokerid;
}

function controllerEpoch(sim: Simulation): number {
  return Number(lookup(sim.zookeeper.state, '/controller_epoch')?.data ?? 0);
}

/** The broker acting as controller whose /controller znode is its own (a paused zombie still thinks it is one). */
function activeController(sim: Simulation): number | undefined {
  const id = controllerZnode(sim);
  return id !== undefined && sim.brokerStates[id]?.controller !== null ? id : undefined;
}

function preferredReplica(sim: Simulation, partition: number): number {
  const assignment = JSON.parse(lookup(sim.zookeeper.state, `/brokers/topics/${TOPIC}`)!.data) as { partitions: Record<string, number[]> };
  return assignment.partitions[String(partition)]![0]!;
}

function ledPartitions(sim: Simulation, broker: number): number[] {
  return Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => sim.leaderOf(TOPIC, p) === broker);
}

/** Every broker registered, every partition fully in sync. */
async function settle(sim: Simulation): Promise<void> {
  await sim.runUntil(
    () => BROKERS.every((id) => lookup(sim.zookeeper.state, `/brokers/ids/${id}`) !== undefined) && Array.from({ length: PARTITIONS }, (_, p) => p).every((p) => fullyInSync(sim, TOPIC, p)),
    { description: 'the cluster to settle' },
  );
}

if (isMainModule(import.meta.url)) await lessonMain(lesson, process.argv.slice(2));
