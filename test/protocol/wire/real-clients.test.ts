/**
 * The three default clients against the codec alone (`support/codec-broker.ts`, no simulation):
 * every request they send decodes, and every response the codec encodes is one they accept, for
 * the versions they pick from the registry. Loopback only, OS-assigned port.
 */
import { execFile } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Compression, batchCompression, decodeRequestFrame, readRecordBatches } from '../../../src/protocol/wire/index.ts';
import { startCodecBroker, type CodecBroker } from './support/codec-broker.ts';
import { KCAT, PYTHON, requireClient, skipWithout } from '../../support/real-clients.ts';

/** Runs a client to completion (asynchronously: the broker lives in this process). */
function run(file: string, args: readonly string[], input?: string, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(input ?? '');
  });
}

let broker: CodecBroker;
beforeEach(async () => {
  broker = await startCodecBroker();
});
afterEach(async () => {
  await broker.close();
});

const versionsSeen = () => broker.captured.map((c) => `${c.api} v${c.version}`);

describe.skipIf(skipWithout('kcat'))('kcat (librdkafka 2.0.2)', () => {
  it('lists metadata, produces 100 keyed messages with acks=all, reads them back, and consumes them in a group', async () => {
    requireClient('kcat');
    const bootstrap = `127.0.0.1:${broker.port}`;
    expect(await run(KCAT, ['-b', bootstrap, '-L'])).toContain(`broker 0 at 127.0.0.1:${broker.port}`);
    const lines = Array.from({ length: 100 }, (_, i) => `key-${i}:value-${i}`);
    await run(KCAT, ['-b', bootstrap, '-P', '-t', 't', '-K:', '-X', 'acks=all'], `${lines.join('\n')}\n`);
    const expected = lines.map((line, i) => `${line.replace(':', '=')}@${i}`);
    expect((await run(KCAT, ['-b', bootstrap, '-C', '-t', 't', '-e', '-q', '-f', '%k=%s@%o\\n'])).trim().split('\n')).toEqual(expected);
    const group = await run(KCAT, ['-b', bootstrap, '-G', 'g', 't', '-e', '-q', '-f', '%k=%s@%o\\n', '-X', 'auto.offset.reset=earliest']);
    expect(group.trim().split('\n')).toEqual(expected);
    expect(broker.problems).toEqual([]);
    expect(versionsSeen()).toEqual(expect.arrayContaining(['key18 v3', 'ApiVersions v0', 'Metadata v4', 'Produce v7', 'ListOffsets v2', 'Fetch v11', 'JoinGroup v5', 'SyncGroup v3', 'OffsetCommit v7']));
  });

  it('produces gzip-compressed batches that decode, and reads them back', async () => {
    requireClient('kcat');
    const bootstrap = `127.0.0.1:${broker.port}`;
    const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:${'value '.repeat(20)}${i}`);
    await run(KCAT, ['-b', bootstrap, '-P', '-t', 'z', '-K:', '-z', 'gzip'], `${lines.join('\n')}\n`);
    const read = await run(KCAT, ['-b', bootstrap, '-C', '-t', 'z', '-e', '-q', '-f', '%k@%o\\n']);
    expect(read.trim().split('\n')).toEqual(lines.map((_, i) => `key-${i}@${i}`));
    expect(broker.problems).toEqual([]);
    const produce = decodeRequestFrame(Uint8Array.from(Buffer.from(broker.captured.find((c) => c.api === 'Produce')!.hex, 'hex')));
    if (produce.api !== 'Produce') throw new Error('no produce request captured');
    const [batch] = readRecordBatches(produce.body.topicData[0]!.partitionData[0]!.records!);
    expect(batchCompression(batch!)).toBe(Compression.Gzip);
  });
});

describe.skipIf(skipWithout('kafka-python'))('kafka-python 2.0.2', () => {
  it('produces with acks=all and consumes in a group, committing', async () => {
    requireClient('kafka-python');
    const script = `
import json, os
from kafka import KafkaProducer, KafkaConsumer
bootstrap = '127.0.0.1:' + os.environ['PORT']
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
for i in range(10): producer.send('t', key=b'k%d' % i, value=b'v%d' % i)
producer.flush(); producer.close()
consumer = KafkaConsumer('t', bootstrap_servers=bootstrap, group_id='g', auto_offset_reset='earliest', consumer_timeout_ms=10000, enable_auto_commit=False)
seen = []
for message in consumer:
    seen.append([message.offset, message.key.decode(), message.value.decode()])
    if len(seen) == 10: break
consumer.commit(); consumer.close()
print(json.dumps(seen))
`;
    const seen = JSON.parse(await run(PYTHON, ['-c', script], undefined, { PORT: String(broker.port) })) as unknown[];
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => [i, `k${i}`, `v${i}`]));
    expect(broker.problems).toEqual([]);
    expect(versionsSeen()).toEqual(expect.arrayContaining(['ApiVersions v0', 'Metadata v0', 'Metadata v1', 'Produce v7', 'Fetch v4', 'JoinGroup v2', 'OffsetCommit v2']));
  });
});

describe('kafkajs 2.2.4', () => {
  it('produces with acks -1, consumes in a group, and runs the admin requests', async () => {
    const { Kafka, logLevel } = (await import('kafkajs')).default;
    const kafka = new Kafka({ clientId: 'codec-test', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 't', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'u', numPartitions: 1, replicationFactor: 1 }] })).toBe(true);
    expect(await admin.fetchTopicOffsets('t')).toEqual([{ partition: 0, offset: '10', high: '10', low: '0' }]);
    expect(await admin.listGroups()).toEqual({ groups: [{ groupId: 'grp', protocolType: 'consumer' }] });
    expect((await admin.describeGroups(['g'])).groups[0]).toMatchObject({ groupId: 'g', state: 'Empty', members: [] });
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 't', fromBeginning: true });
    const seen: Array<[string, string, string]> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumed ${seen.length} of 10 messages in 60 s; codec problems: ${broker.problems.join('; ')}`)), 60_000);
      consumer.run({
        eachMessage: async ({ message }) => {
          seen.push([message.offset, message.key!.toString(), message.value!.toString()]);
          if (seen.length === 10) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => [String(i), `k${i}`, `v${i}`]));
    expect(broker.problems).toEqual([]);
    expect(versionsSeen()).toEqual(expect.arrayContaining(['ApiVersions v2', 'Metadata v6', 'Produce v7', 'Fetch v11', 'JoinGroup v5', 'CreateTopics v3', 'DescribeGroups v2']));
  });
});
