/**
 * Issue 7 figures: kcat (librdkafka 2.0.2) producing N 100-byte records (acks=all) into kafkasim's
 * gateway and into librdkafka's built-in mock cluster, then consuming them back with
 * `kcat -C -e -o beginning`, side by side in one run: records/s for each and the ratio
 * gateway / mock (target ≥ 1.0 for produce, while the gateway models replication, ISR and acks
 * that the mock does not). N is BENCH_GATEWAY_MESSAGES (default 1,000,000). Both producers read
 * the same input file on stdin, written before either is timed (feeding kcat through a pipe from
 * this process would take event-loop time from the gateway, which runs here, and not from the
 * mock cluster). Each side first takes an untimed warm-up produce of 100,000 records into another
 * topic (the gateway's JIT warms up; the harness measures every figure after a warm-up run).
 *
 * Both clusters have 3 brokers and one topic of 4 partitions, replication factor 3: the shape the
 * mock cluster gives a topic it auto-creates (rdkafka_mock.c defaults). Times are wall clock from
 * spawning kcat to its exit (connecting, metadata and the final flush included). The gateway runs
 * in this process with the trace off and virtual time in step with wall time (speed 1).
 *
 * Both sides run with transparent huge pages for malloc (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`,
 * set for this suite's process and inherited by the kcat processes, so by the mock cluster too;
 * a value set when the bench starts wins: `GLIBC_TUNABLES=glibc.malloc.hugetlb=0` measures 4 KiB
 * pages). The gateway keeps every byte produced to it in memory it touches for the first time
 * (Kafka's log: nothing is dropped), and with 4 KiB pages in this virtual machine a page fault
 * costs about 14 µs: 100 MB produced took ~30,000 faults, a third of the gateway's CPU. The mock
 * cluster keeps only the last few megabytes per partition and reuses its memory.
 *
 * Not like for like on consume: the mock cluster keeps only the last few megabytes of each
 * partition (older message sets are dropped as new ones arrive), so its consumer reads fewer
 * records than were produced; its figure is records read per second and the records it read are
 * printed beside it. A missing kcat skips the suite, a gateway that fails to start skips the
 * gateway figures; either is said on stderr.
 */
import { startGateway } from '../src/gateway/index.ts';
import { countFromEnv, type BenchSuite, type Figure } from './harness.ts';
import { KCAT, kcatAvailable, kcatConsume, kcatProduceMs, removeInput, startMockCluster, writeInputFile } from './kcat.ts';

const LINE_BYTES = 101; // 100 bytes of value and kcat's newline delimiter
const TOPIC = { name: 'bench', partitions: 4, replicationFactor: 3 } as const;
/** Produced to before the measured run, untimed, on both sides (as every figure of the harness is measured after a warm-up run). */
const WARM_UP_TOPIC = { name: 'warm-up', partitions: 4, replicationFactor: 3 } as const;
const WARM_UP_RECORDS = 100_000;

interface Inputs {
  readonly file: string;
  readonly count: number;
  readonly warmUpFile: string;
}

interface Side {
  readonly produceRate: number;
  readonly consumeRate: number;
  readonly consumed: number;
}

async function measure(bootstrap: string, { file, count, warmUpFile }: Inputs): Promise<Side> {
  await kcatProduceMs(bootstrap, WARM_UP_TOPIC.name, warmUpFile);
  const produceMs = await kcatProduceMs(bootstrap, TOPIC.name, file);
  const { ms, records } = await kcatConsume(bootstrap, TOPIC.name);
  return { produceRate: (count / produceMs) * 1000, consumeRate: (records / ms) * 1000, consumed: records };
}

async function mockSide(inputs: Inputs): Promise<Side> {
  const mock = await startMockCluster(3);
  try {
    return await measure(mock.bootstrap, inputs);
  } finally {
    await mock.stop();
  }
}

async function gatewaySide(inputs: Inputs): Promise<Side | string> {
  let gateway;
  try {
    gateway = await startGateway({ brokers: 3, topics: [TOPIC, WARM_UP_TOPIC], trace: 'off', speed: 1 });
  } catch (error) {
    return `the gateway did not start: ${(error as Error).message}`;
  }
  try {
    return await measure(gateway.bootstrapServers, inputs);
  } catch (error) {
    return `kcat against the gateway failed: ${(error as Error).message.slice(0, 500)}`;
  } finally {
    await gateway.stop().catch((error: Error) => process.stderr.write(`gateway.stop: ${error.message}\n`));
  }
}

const ratio = (gateway: number, mock: number) => gateway / mock;

const HUGE_PAGES = 'glibc.malloc.hugetlb=1';

export const gatewaySuite: BenchSuite = {
  name: 'gateway',
  env: { GLIBC_TUNABLES: HUGE_PAGES },
  async run() {
    if (!kcatAvailable()) {
      process.stderr.write(`gateway suite skipped: ${KCAT} not found (apt-get install kcat)\n`);
      return [];
    }
    const count = countFromEnv('BENCH_GATEWAY_MESSAGES', 1_000_000);
    const warmUpCount = Math.min(count, WARM_UP_RECORDS);
    const shape =
      `3 brokers, topic of 4 partitions RF=3, ${count.toLocaleString('en-US')} records of 100 B after an untimed warm-up of ` +
      `${warmUpCount.toLocaleString('en-US')}; GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? ''}`;
    const inputs: Inputs = { file: writeInputFile(count, LINE_BYTES), count, warmUpFile: writeInputFile(warmUpCount, LINE_BYTES) };
    let mock: Side;
    let gateway: Side | string;
    try {
      mock = await mockSide(inputs);
      gateway = await gatewaySide(inputs);
    } finally {
      removeInput(inputs.file);
      removeInput(inputs.warmUpFile);
    }
    const figures: Figure[] = [
      { name: 'mock.kcat_produce.records_per_s', value: mock.produceRate, unit: 'records/s', mode: `librdkafka mock cluster, kcat -P acks=all, spawn to exit; ${shape}` },
      {
        name: 'mock.kcat_consume.records_per_s',
        value: mock.consumeRate,
        unit: 'records/s',
        mode: `librdkafka mock cluster, kcat -C -e -o beginning, spawn to exit; read ${mock.consumed.toLocaleString('en-US')} records (the mock keeps only the last MBs per partition)`,
      },
    ];
    if (typeof gateway === 'string') {
      process.stderr.write(`gateway.kcat_* figures skipped: ${gateway}\n`);
      return figures;
    }
    const lost = gateway.consumed !== count ? ` (read ${gateway.consumed.toLocaleString('en-US')}, expected ${count.toLocaleString('en-US')})` : '';
    figures.push(
      { name: 'gateway.kcat_produce.records_per_s', value: gateway.produceRate, unit: 'records/s', mode: `kafkasim gateway, trace off, kcat -P acks=all, spawn to exit; ${shape}` },
      { name: 'gateway_vs_mock.kcat_produce.ratio', value: ratio(gateway.produceRate, mock.produceRate), unit: '×', mode: 'gateway records/s ÷ mock records/s', target: '≥ 1.0' },
      { name: 'gateway.kcat_consume.records_per_s', value: gateway.consumeRate, unit: 'records/s', mode: `kafkasim gateway, kcat -C -e -o beginning, spawn to exit${lost}` },
      { name: 'gateway_vs_mock.kcat_consume.ratio', value: ratio(gateway.consumeRate, mock.consumeRate), unit: '×', mode: 'gateway records/s ÷ mock records/s' },
    );
    return figures;
  },
};
