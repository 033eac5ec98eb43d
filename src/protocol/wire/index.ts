/**
 * The Kafka wire protocol codec: pure functions over bytes, no I/O.
 *
 * - `primitives.ts`: `WireWriter` / `WireReader` (Kafka's primitive types, bounds-checked).
 * - `frame.ts`: size-prefixed frames (`FrameReader` for a TCP stream) and the request header.
 * - `apis/*.ts`: one descriptor per API (`ApiDescriptor`): typed request/response bodies, both
 *   directions; `registry.ts`: which APIs and versions exist (what ApiVersions answers).
 * - `codec.ts`: whole request and response frames through the registry, and the answer to an
 *   unsupported ApiVersions version.
 * - `records.ts`: record batches (v2) and legacy message sets (magic 0/1); `crc32c.ts`.
 * - `message-batches.ts`: the simulator's `MessageBatch`es as fetch response records, each
 *   encoded once and then served by copying its bytes.
 * - `errors.ts`: `WireDecodeError` (the only thing decoders throw), `UnsupportedCompressionError`.
 */
export { WireDecodeError, UnsupportedCompressionError } from './errors.ts';
export { WireReader, WireWriter, varintSize, varlongSize } from './primitives.ts';
export { crc32, crc32c } from './crc32c.ts';
export {
  Compression,
  RECORD_BATCH_OVERHEAD,
  batchCompression,
  decodeRecordSet,
  decodeRecords,
  encodeMessageSet,
  encodeRecordBatch,
  isControlBatch,
  readRecordBatches,
  recordSetMagic,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  verifyRecordBatch,
  type DecodedRecord,
  type RecordBatchHeader,
  type RecordBatchInput,
  type RecordBatchView,
  type RecordHeader,
  type RecordInput,
  type RecordSetOptions,
} from './records.ts';
export { fetchRecordChunks, recordBatchBytes } from './message-batches.ts';
export {
  DEFAULT_MAX_FRAME_BYTES,
  FrameAssembler,
  FrameReader,
  beginFrame,
  decodeRequestHeader,
  encodeRequestHeader,
  endFrame,
  type RequestHeader,
} from './frame.ts';
export type { ApiDescriptor } from './api-descriptor.ts';
export {
  SUPPORTED_API_VERSIONS,
  WIRE_APIS,
  isSupportedVersion,
  wireApiByKey,
  type WireApiName,
  type WireApis,
  type WireRequestOf,
  type WireResponseOf,
} from './registry.ts';
export {
  UNSUPPORTED_VERSION,
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  encodeUnsupportedVersionResponse,
  type DecodedRequest,
  type UnsupportedRequest,
} from './codec.ts';
export type * from './apis/api-versions.ts';
export type * from './apis/metadata.ts';
export type * from './apis/produce.ts';
export type * from './apis/fetch.ts';
export type * from './apis/list-offsets.ts';
export type * from './apis/find-coordinator.ts';
export type * from './apis/join-group.ts';
export type * from './apis/sync-group.ts';
export type * from './apis/heartbeat.ts';
export type * from './apis/leave-group.ts';
export type * from './apis/offset-commit.ts';
export type * from './apis/offset-fetch.ts';
export type * from './apis/create-topics.ts';
export type * from './apis/describe-groups.ts';
export type * from './apis/list-groups.ts';
