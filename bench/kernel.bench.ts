/** Issue 2 figures: kernel event rate, coordinator operation rate, idle cost, history memory. */
import { Kernel, Network } from '../src/sim/index.ts';
import { SimZooKeeperClient, ZooKeeperServer } from '../src/zookeeper/index.ts';
import { heapUsedBytes, timeMs, type BenchSuite, type Figure } from './harness.ts';

const quiet = { trace: 'off', history: false } as const;

async function eventsPerSecond(): Promise<Figure> {
  const events = 2_000_000;
  const ms = await timeMs(async () => {
    const kernel = new Kernel({ seed: 1, ...quiet });
    let fired = 0;
    // 100 interleaved timer chains, each re-arming itself: the queue stays at 100 events.
    const tick = () => {
      if (++fired < events) kernel.schedule(1 + (fired % 7), tick);
    };
    for (let i = 0; i < 100; i++) kernel.schedule(i % 5, tick);
    await kernel.runUntilIdle();
  });
  return { name: 'kernel.events_per_s', value: events / (ms / 1000), unit: 'events/s', mode: 'timer events, trace off, history off', target: '≥ 2,000,000' };
}

async function zkOpsPerSecond(): Promise<Figure> {
  const clients = 4;
  const rounds = 2_500;
  const batch = 10; // operations in flight per client
  const ops = clients * rounds * batch;
  const ms = await timeMs(async () => {
    const kernel = new Kernel({ seed: 1, ...quiet });
    const network = new Network(kernel, { defaultLink: { latencyMs: 1, jitterMs: 0 } });
    new ZooKeeperServer(kernel, network);
    for (let c = 0; c < clients; c++) {
      const node = `client-${c}`;
      kernel.addNode(node);
      const zk = new SimZooKeeperClient(kernel, network, { node });
      kernel.spawn(node, async () => {
        await zk.connected();
        await zk.create(`/c${c}`, '', 'persistent');
        const watcher = () => {};
        for (let r = 0; r < rounds; r++) {
          const pending: Promise<unknown>[] = [];
          for (let i = 0; i < batch; i++) {
            const path = `/c${c}/n${(r * batch + i) % 100}`;
            // A mix of creates, watched reads and writes, one third each.
            if (r < 10) pending.push(zk.create(path, 'v', 'persistent').catch(() => undefined));
            else if (i % 3 === 0) pending.push(zk.getData(path, watcher));
            else if (i % 3 === 1) pending.push(zk.setData(path, `v${r}`));
            else pending.push(zk.exists(path, watcher));
          }
          await Promise.all(pending);
        }
      }, { node });
    }
    await kernel.runUntil(() => kernel.liveTasks().length === 0);
  });
  return { name: 'zk.ops_per_s', value: ops / (ms / 1000), unit: 'ops/s', mode: 'create/get/set/exists with watches, 4 clients over the network, trace off, history off', target: '≥ 300,000' };
}

async function idleHourWallMs(): Promise<Figure> {
  const ms = await timeMs(async () => {
    const kernel = new Kernel({ seed: 1, ...quiet });
    const network = new Network(kernel);
    new ZooKeeperServer(kernel, network, { kafkaPaths: true });
    for (let i = 0; i < 20; i++) {
      kernel.addNode(`client-${i}`);
      new SimZooKeeperClient(kernel, network, { node: `client-${i}` });
    }
    await kernel.runFor(3_600_000);
  }, { warmups: 2, repeats: 5 });
  return { name: 'kernel.idle_hour_wall_ms', value: ms, unit: 'ms', mode: '1 virtual hour, coordinator + 20 idle sessions pinging, trace off, history off', target: '≤ 50' };
}

async function historyBytesPerStep(): Promise<Figure> {
  const steps = 100_000;
  const build = async () => {
    const kernel = new Kernel({ seed: 1, trace: 'off', history: true });
    const network = new Network(kernel);
    new ZooKeeperServer(kernel, network, { kafkaPaths: true });
    for (let i = 0; i < 5; i++) {
      const node = `client-${i}`;
      kernel.addNode(node);
      const zk = new SimZooKeeperClient(kernel, network, { node });
      kernel.spawn(node, async () => {
        await zk.connected();
        await zk.create(`/brokers/ids/${i}`, `{"host":"${node}"}`, 'ephemeral');
        for (let n = 0; ; n++) {
          await zk.setData(`/brokers/ids/${i}`, `{"host":"${node}","n":${n}}`);
          await kernel.sleep(10);
        }
      }, { node });
    }
    await kernel.runUntil(() => kernel.currentStep >= 1_000, { maxSteps: 1_000_000 });
    return kernel;
  };
  await build();
  const kernel = await build();
  const before = heapUsedBytes();
  const startStep = kernel.currentStep;
  await kernel.runUntil(() => kernel.currentStep >= startStep + steps, { maxSteps: steps + 10 });
  const bytes = heapUsedBytes() - before;
  if (kernel.world.history!.lastStep < startStep + steps) throw new Error('history did not record every step');
  return { name: 'history.bytes_per_step', value: bytes / steps, unit: 'bytes/step', mode: '100,000 steps of 5 clients writing znodes, history on, trace off', target: 'reported' };
}

export const kernelSuite: BenchSuite = {
  name: 'kernel',
  async run() {
    return [await eventsPerSecond(), await zkOpsPerSecond(), await idleHourWallMs(), await historyBytesPerStep()];
  },
};
