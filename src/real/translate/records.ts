/**
 * Records both ways, for the client side: internal messages as the record format of a produce
 * version (record batches v2 for v3+, message sets of magic 1 for v2 and magic 0 for v0-v1, the
 * same rule brokers apply), and a fetch response's record set as internal `MessageBatch`es.
 *
 * A fetched record set is read the way 0.8.2's `ByteBufferMessageSet` iterates: whole entries
 * only; an entry the byte limit cut is dropped and reported as `partialMessage` (the client then
 * knows the fetch size was too small if nothing else came). Records before the fetch offset are
 * dropped: a v2 batch (or a compressed wrapper) is returned whole although the fetch started in
 * its middle, and the 0.8 clients expect messages from the fetch offset on (Kafka's own consumer
 * skips them the same way). Consecutive offsets make one batch; a gap (compaction) starts another.
 * Fetched keys and values are bytes (`Uint8Array`): the wire does not say whether they were text.
 */
import { batchOf, createMessage, type Message, type MessageBatch } from '../../protocol/message.ts';
import { WireWriter } from '../../protocol/wire/primitives.ts';
import { decodeRecordSet, encodeMessageSet, encodeRecordBatch, type RecordInput } from '../../protocol/wire/records.ts';

/** `messages` as one record set for produce version `version`. */
export function produceRecords(messages: readonly Message[], version: number): Uint8Array {
  if (messages.length === 0) return new Uint8Array(0);
  let bytes = 0;
  for (const m of messages) bytes += m.sizeBytes;
  const writer = new WireWriter(bytes + 64);
  // String keys and values go in as they are: the encoder writes their UTF-8 into the set.
  const records: RecordInput[] = messages.map((m) => ({ key: m.key, value: m.value }));
  if (version >= 3) encodeRecordBatch(writer, { baseOffset: 0, records });
  else encodeMessageSet(writer, version >= 2 ? 1 : 0, 0, records);
  // A view, not a copy: the writer is not used again, and the request encoder copies these bytes
  // into its frame anyway.
  return writer.finish();
}

/** Offset (8) + size (4) before every entry, in both formats. */
const LOG_OVERHEAD = 12;

/** The complete messages of a fetched record set from `fetchOffset` on, and whether a cut entry followed them. */
export function fetchedBatches(records: Uint8Array | null, fetchOffset: number): { batches: MessageBatch[]; partialMessage: boolean } {
  if (records === null || records.length === 0) return { batches: [], partialMessage: false };
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let complete = 0;
  while (complete < records.length) {
    const left = records.length - complete;
    if (left < LOG_OVERHEAD) break;
    const size = view.getInt32(complete + 8);
    if (size < 0 || LOG_OVERHEAD + size > left) break;
    complete += LOG_OVERHEAD + size;
  }
  const partialMessage = complete < records.length;
  const batches: MessageBatch[] = [];
  let base = -1;
  let run: Message[] = [];
  for (const record of decodeRecordSet(records.subarray(0, complete))) {
    if (record.offset < fetchOffset) continue;
    if (run.length > 0 && record.offset !== base + run.length) {
      batches.push(batchOf(base, run));
      run = [];
    }
    if (run.length === 0) base = record.offset;
    run.push(createMessage(record.key, record.value));
  }
  if (run.length > 0) batches.push(batchOf(base, run));
  return { batches, partialMessage };
}
