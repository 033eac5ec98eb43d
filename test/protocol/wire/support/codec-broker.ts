/**
 * A one-broker stand-in built only on the wire codec, so real clients can run against the codec
 * alone (no simulation): it answers ApiVersions from the registry, Metadata (itself as broker 0,
 * every topic asked for with one partition it leads; all topics = "t"), Produce (keeping the
 * batches, CRC-checked and their records decoded), ListOffsets, Fetch (serving the kept batches), a one-member group
 * (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup), and
 * the admin requests (CreateTopics, DescribeGroups, ListGroups) with empty successes. It records
 * the first frame of every (API, version) it receives. An unsupported ApiVersions version gets the
 * v0 fallback; another unsupported request closes the connection, as Kafka does.
 *
 * Not a simulator (no replication, no errors, one partition per topic): a measuring tool for the
 * real-client tests and `fixtures/capture-broker.ts`.
 */
import { createServer, type Socket } from 'node:net';
import {
  FrameReader,
  SUPPORTED_API_VERSIONS,
  WireWriter,
  decodeRecords,
  decodeRequestFrame,
  encodeResponseFrame,
  encodeUnsupportedVersionResponse,
  readRecordBatches,
  setBatchBaseOffset,
  type DecodedRequest,
} from '../../../../src/protocol/wire/index.ts';

export interface CapturedFrame {
  readonly client: string | null;
  /** The API's name, or `key<N>` for a key or version outside the registry. */
  readonly api: string;
  readonly version: number;
  /** The frame without its size prefix. */
  readonly hex: string;
}

export interface CodecBroker {
  /** The loopback port it listens on. */
  readonly port: number;
  /** The first frame of each (API, version) received, in arrival order. */
  readonly captured: readonly CapturedFrame[];
  /** Frames it could not decode and responses it could not encode (each closed its connection). */
  readonly problems: readonly string[];
  close(): Promise<void>;
}

export function startCodecBroker(): Promise<CodecBroker> {
  const captured: CapturedFrame[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  /** Kept batches per "topic/partition", base offsets rewritten. */
  const logs = new Map<string, Uint8Array[]>();
  const committed = new Map<string, number>();
  let port = 0;
  let assignment = new Uint8Array(0);
  let generation = 0;

  function logOf(topic: string, partition: number): Uint8Array[] {
    const key = `${topic}/${partition}`;
    let log = logs.get(key);
    if (log === undefined) logs.set(key, (log = []));
    return log;
  }

  function endOffset(log: readonly Uint8Array[]): number {
    if (log.length === 0) return 0;
    const last = readRecordBatches(log[log.length - 1]!)[0]!;
    return last.baseOffset + last.lastOffsetDelta + 1;
  }

  function answer(request: DecodedRequest, writer: WireWriter): boolean {
    const { header } = request;
    switch (request.api) {
      case 'ApiVersions':
        encodeResponseFrame(writer, 'ApiVersions', header, { errorCode: 0, apiKeys: SUPPORTED_API_VERSIONS });
        return true;
      case 'Metadata': {
        const names = request.body.topics ?? ['t'];
        encodeResponseFrame(writer, 'Metadata', header, {
          brokers: [{ nodeId: 0, host: '127.0.0.1', port }],
          clusterId: 'capture',
          controllerId: 0,
          topics: names.map((name) => ({
            errorCode: 0,
            name,
            partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, replicaNodes: [0], isrNodes: [0] }],
          })),
        });
        return true;
      }
      case 'Produce': {
        const responses = request.body.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((partition) => {
            const log = logOf(topic.name, partition.index);
            const baseOffset = endOffset(log);
            for (const batch of readRecordBatches(partition.records ?? new Uint8Array(0), { verifyCrc: true })) {
              decodeRecords(batch); // the records must decode (and decompress), though only the bytes are kept
              const copy = batch.bytes.slice();
              setBatchBaseOffset(copy, endOffset(log));
              log.push(copy);
            }
            return { index: partition.index, errorCode: 0, baseOffset };
          }),
        }));
        if (request.body.acks === 0) return false;
        encodeResponseFrame(writer, 'Produce', header, { responses });
        return true;
      }
      case 'ListOffsets':
        encodeResponseFrame(writer, 'ListOffsets', header, {
          topics: request.body.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map((p) => {
              const offset = p.timestamp === -2 ? 0 : endOffset(logOf(topic.name, p.partitionIndex));
              return { partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [offset], timestamp: -1, offset };
            }),
          })),
        });
        return true;
      case 'Fetch':
        encodeResponseFrame(writer, 'Fetch', header, {
          responses: request.body.topics.map((topic) => ({
            topic: topic.topic,
            partitions: topic.partitions.map((p) => {
              const log = logOf(topic.topic, p.partition);
              const end = endOffset(log);
              const records = log.filter((batch) => {
                const h = readRecordBatches(batch)[0]!;
                return h.baseOffset + h.lastOffsetDelta >= p.fetchOffset;
              });
              return { partitionIndex: p.partition, errorCode: 0, highWatermark: end, lastStableOffset: end, logStartOffset: 0, records };
            }),
          })),
        });
        return true;
      case 'FindCoordinator':
        encodeResponseFrame(writer, 'FindCoordinator', header, { errorCode: 0, nodeId: 0, host: '127.0.0.1', port });
        return true;
      case 'JoinGroup': {
        generation++;
        const memberId = request.body.memberId === '' ? 'member-1' : request.body.memberId;
        const protocol = request.body.protocols[0]!;
        encodeResponseFrame(writer, 'JoinGroup', header, {
          errorCode: 0,
          generationId: generation,
          protocolName: protocol.name,
          leader: memberId,
          memberId,
          members: [{ memberId, metadata: protocol.metadata }],
        });
        return true;
      }
      case 'SyncGroup':
        if (request.body.assignments.length > 0) assignment = request.body.assignments[0]!.assignment.slice();
        encodeResponseFrame(writer, 'SyncGroup', header, { errorCode: 0, assignment });
        return true;
      case 'Heartbeat':
        encodeResponseFrame(writer, 'Heartbeat', header, { errorCode: 0 });
        return true;
      case 'LeaveGroup':
        encodeResponseFrame(writer, 'LeaveGroup', header, { errorCode: 0 });
        return true;
      case 'OffsetCommit':
        for (const topic of request.body.topics) for (const p of topic.partitions) committed.set(`${topic.name}/${p.partitionIndex}`, p.committedOffset);
        encodeResponseFrame(writer, 'OffsetCommit', header, {
          topics: request.body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
        });
        return true;
      case 'OffsetFetch':
        encodeResponseFrame(writer, 'OffsetFetch', header, {
          topics: (request.body.topics ?? []).map((t) => ({
            name: t.name,
            partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: committed.get(`${t.name}/${p}`) ?? -1, metadata: '', errorCode: 0 })),
          })),
        });
        return true;
      case 'CreateTopics':
        encodeResponseFrame(writer, 'CreateTopics', header, { topics: request.body.topics.map((t) => ({ name: t.name, errorCode: 0 })) });
        return true;
      case 'DescribeGroups':
        encodeResponseFrame(writer, 'DescribeGroups', header, {
          groups: request.body.groups.map((groupId) => ({ errorCode: 0, groupId, groupState: 'Empty', protocolType: 'consumer', protocolData: '', members: [] })),
        });
        return true;
      case 'ListGroups':
        encodeResponseFrame(writer, 'ListGroups', header, { errorCode: 0, groups: [{ groupId: 'grp', protocolType: 'consumer' }] });
        return true;
      default:
        return false;
    }
  }

  function serve(socket: Socket): void {
    const frames = new FrameReader();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      try {
        receive(socket, frames, chunk);
      } catch (error) {
        // A frame the codec could not read, or a response it could not write: the test's failure.
        problems.push(error instanceof Error ? error.message : String(error));
        socket.destroy();
      }
    });
  }

  function receive(socket: Socket, frames: FrameReader, chunk: Buffer): void {
    frames.push(chunk);
    for (let frame = frames.next(); frame !== null; frame = frames.next()) {
      const request = decodeRequestFrame(frame);
      const api = request.api ?? `key${request.header.apiKey}`;
      const key = `${api} v${request.header.apiVersion}`;
      if (!seen.has(key)) {
        seen.add(key);
        captured.push({ client: request.header.clientId, api, version: request.header.apiVersion, hex: Buffer.from(frame).toString('hex') });
      }
      const writer = new WireWriter();
      if (request.api === null) {
        if (request.header.apiKey !== 18) {
          socket.destroy();
          return;
        }
        encodeUnsupportedVersionResponse(writer, request.header);
      } else if (!answer(request, writer)) continue;
      socket.write(writer.toBytes());
    }
  }

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('the codec broker has no port');
      port = address.port;
      resolve({
        port,
        captured,
        problems,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
