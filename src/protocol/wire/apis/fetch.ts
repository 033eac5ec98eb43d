/**
 * Fetch (key 1), versions 0-11 (`FetchRequest`/`FetchResponse`): records from an offset on, per
 * partition, up to byte limits, waiting up to `maxWaitMs` for `minBytes`. v1 adds the throttle
 * time; v2 means magic-1 message sets may come back; v3 a response byte limit; v4 the isolation
 * level, last stable offset and aborted transactions (and record batches v2, magic 2); v5 log
 * start offsets; v7 incremental fetch sessions (KIP-227); v9 the current leader epoch; v11 the
 * rack id and preferred read replica (KIP-392). v6, v8 and v10 change only semantics.
 *
 * A response's records are written from a list of chunks (stored record batches, back to back)
 * without concatenating them first; decoding gives one view into the frame. A fetch response may
 * end with a partial batch (Kafka cuts at the byte limit); the record decoders allow it.
 * Not modelled: v12+ (flexible; truncation offset, current leader). Sessions are on the wire only:
 * a broker that answers session id 0 declines them, and clients then send full fetches.
 */
import type { ApiDescriptor, Mutable } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export interface FetchPartition {
  readonly partition: number;
  /** v9+; default -1 (unknown). */
  readonly currentLeaderEpoch?: number;
  readonly fetchOffset: number;
  /** v5+ (only followers set it); default -1. */
  readonly logStartOffset?: number;
  readonly partitionMaxBytes: number;
}

export interface FetchTopic {
  readonly topic: string;
  readonly partitions: readonly FetchPartition[];
}

export interface ForgottenTopic {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface FetchRequest {
  /** -1 for consumers; a follower's broker id. */
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  /** v3+; default 0x7fffffff. */
  readonly maxBytes?: number;
  /** v4+: 0 read uncommitted, 1 read committed; default 0. */
  readonly isolationLevel?: number;
  /** v7+; default 0 (no session). */
  readonly sessionId?: number;
  /** v7+; default -1 (full fetch, no session). */
  readonly sessionEpoch?: number;
  readonly topics: readonly FetchTopic[];
  /** v7+; default []. */
  readonly forgottenTopicsData?: readonly ForgottenTopic[];
  /** v11+; default "". */
  readonly rackId?: string;
}

export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

/** Records to send as chunks written back to back, or (decoded) one view. */
export type FetchRecords = Uint8Array | readonly Uint8Array[] | null;

export interface FetchResponsePartition {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  /** v4+; default -1. */
  readonly lastStableOffset?: number;
  /** v5+; default -1. */
  readonly logStartOffset?: number;
  /** v4+; default null. */
  readonly abortedTransactions?: readonly AbortedTransaction[] | null;
  /** v11+; default -1. */
  readonly preferredReadReplica?: number;
  readonly records: FetchRecords;
}

export interface FetchResponseTopic {
  readonly topic: string;
  readonly partitions: readonly FetchResponsePartition[];
}

export interface FetchResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  /** v7+; default 0. */
  readonly errorCode?: number;
  /** v7+; default 0. */
  readonly sessionId?: number;
  readonly responses: readonly FetchResponseTopic[];
}

const NO_FORGOTTEN_TOPICS: readonly ForgottenTopic[] = [];

export const fetchApi: ApiDescriptor<'Fetch', FetchRequest, FetchResponse> = {
  key: 1,
  name: 'Fetch',
  minVersion: 0,
  maxVersion: 11,

  decodeRequest(reader: WireReader, version: number): FetchRequest {
    const request: Mutable<FetchRequest> = { replicaId: reader.int32(), maxWaitMs: reader.int32(), minBytes: reader.int32(), topics: [] };
    if (version >= 3) request.maxBytes = reader.int32();
    if (version >= 4) request.isolationLevel = reader.int8();
    if (version >= 7) {
      request.sessionId = reader.int32();
      request.sessionEpoch = reader.int32();
    }
    const topicCount = reader.arrayLength(6);
    const topics: FetchTopic[] = [];
    for (let i = 0; i < topicCount; i++) {
      const topic = reader.string();
      const partitionCount = reader.arrayLength(16);
      const partitions: FetchPartition[] = [];
      for (let j = 0; j < partitionCount; j++) {
        const partition: Mutable<FetchPartition> = { partition: reader.int32(), fetchOffset: 0, partitionMaxBytes: 0 };
        if (version >= 9) partition.currentLeaderEpoch = reader.int32();
        partition.fetchOffset = reader.int64();
        if (version >= 5) partition.logStartOffset = reader.int64();
        partition.partitionMaxBytes = reader.int32();
        partitions.push(partition);
      }
      topics.push({ topic, partitions });
    }
    request.topics = topics;
    if (version >= 7) {
      const forgottenCount = reader.arrayLength(6);
      const forgotten: ForgottenTopic[] = [];
      for (let i = 0; i < forgottenCount; i++) forgotten.push({ topic: reader.string(), partitions: reader.int32Array() });
      request.forgottenTopicsData = forgotten;
    }
    if (version >= 11) request.rackId = reader.string();
    return request;
  },

  encodeRequest(writer: WireWriter, body: FetchRequest, version: number): void {
    writer.int32(body.replicaId);
    writer.int32(body.maxWaitMs);
    writer.int32(body.minBytes);
    if (version >= 3) writer.int32(body.maxBytes ?? 0x7fffffff);
    if (version >= 4) writer.int8(body.isolationLevel ?? 0);
    if (version >= 7) {
      writer.int32(body.sessionId ?? 0);
      writer.int32(body.sessionEpoch ?? -1);
    }
    writer.arrayLength(body.topics.length);
    for (const topic of body.topics) {
      writer.string(topic.topic);
      writer.arrayLength(topic.partitions.length);
      for (const partition of topic.partitions) {
        writer.int32(partition.partition);
        if (version >= 9) writer.int32(partition.currentLeaderEpoch ?? -1);
        writer.int64(partition.fetchOffset);
        if (version >= 5) writer.int64(partition.logStartOffset ?? -1);
        writer.int32(partition.partitionMaxBytes);
      }
    }
    if (version >= 7) {
      const forgotten = body.forgottenTopicsData ?? NO_FORGOTTEN_TOPICS;
      writer.arrayLength(forgotten.length);
      for (const topic of forgotten) {
        writer.string(topic.topic);
        writer.int32Array(topic.partitions);
      }
    }
    if (version >= 11) writer.string(body.rackId ?? '');
  },

  decodeResponse(reader: WireReader, version: number): FetchResponse {
    const response: Mutable<FetchResponse> = { responses: [] };
    if (version >= 1) response.throttleTimeMs = reader.int32();
    if (version >= 7) {
      response.errorCode = reader.int16();
      response.sessionId = reader.int32();
    }
    const topicCount = reader.arrayLength(6);
    const responses: FetchResponseTopic[] = [];
    for (let i = 0; i < topicCount; i++) {
      const topic = reader.string();
      const partitionCount = reader.arrayLength(18);
      const partitions: FetchResponsePartition[] = [];
      for (let j = 0; j < partitionCount; j++) {
        const partition: Mutable<FetchResponsePartition> = {
          partitionIndex: reader.int32(),
          errorCode: reader.int16(),
          highWatermark: reader.int64(),
          records: null,
        };
        if (version >= 4) {
          partition.lastStableOffset = reader.int64();
          if (version >= 5) partition.logStartOffset = reader.int64();
          const abortedCount = reader.nullableArrayLength(16);
          if (abortedCount < 0) partition.abortedTransactions = null;
          else {
            const aborted: AbortedTransaction[] = [];
            for (let k = 0; k < abortedCount; k++) aborted.push({ producerId: reader.int64(), firstOffset: reader.int64() });
            partition.abortedTransactions = aborted;
          }
        }
        if (version >= 11) partition.preferredReadReplica = reader.int32();
        partition.records = reader.nullableBytes();
        partitions.push(partition);
      }
      responses.push({ topic, partitions });
    }
    response.responses = responses;
    return response;
  },

  encodeResponse(writer: WireWriter, body: FetchResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    if (version >= 7) {
      writer.int16(body.errorCode ?? 0);
      writer.int32(body.sessionId ?? 0);
    }
    writer.arrayLength(body.responses.length);
    for (const topic of body.responses) {
      writer.string(topic.topic);
      writer.arrayLength(topic.partitions.length);
      for (const partition of topic.partitions) {
        writer.int32(partition.partitionIndex);
        writer.int16(partition.errorCode);
        writer.int64(partition.highWatermark);
        if (version >= 4) {
          writer.int64(partition.lastStableOffset ?? -1);
          if (version >= 5) writer.int64(partition.logStartOffset ?? -1);
          const aborted = partition.abortedTransactions ?? null;
          if (aborted === null) writer.arrayLength(-1);
          else {
            writer.arrayLength(aborted.length);
            for (const transaction of aborted) {
              writer.int64(transaction.producerId);
              writer.int64(transaction.firstOffset);
            }
          }
        }
        if (version >= 11) writer.int32(partition.preferredReadReplica ?? -1);
        writeRecords(writer, partition.records);
      }
    }
  },
};

function writeRecords(writer: WireWriter, records: FetchRecords): void {
  if (records === null) writer.int32(-1);
  else if (records instanceof Uint8Array) writer.bytes(records);
  else {
    let size = 0;
    for (const chunk of records) size += chunk.length;
    writer.int32(size);
    for (const chunk of records) writer.raw(chunk);
  }
}
