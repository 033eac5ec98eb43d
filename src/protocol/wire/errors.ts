/**
 * The two ways bytes from the wire can fail to decode. A malformed frame or body is a
 * `WireDecodeError`: the codec's decoders throw nothing else, whatever the input (the fuzz tests
 * check it), and the gateway closes the connection that sent it, as Kafka's `SocketServer` does
 * on an `InvalidRequestException`. A well-formed record batch compressed with a codec the
 * simulator does not implement is an `UnsupportedCompressionError`, which the broker answers with
 * UNSUPPORTED_COMPRESSION_TYPE (76) instead of closing the connection.
 */
import { KafkasimError } from '../../sim/errors.ts';

export class WireDecodeError extends KafkasimError {
  readonly code = 'WIRE_DECODE';
  constructor(
    /** What was being read, e.g. "MetadataRequest v1: string". */
    readonly what: string,
    /** The byte offset in the buffer being read where the problem was found. */
    readonly offset: number,
    /** What is wrong, e.g. "length 300 overruns the 60-byte buffer". */
    readonly problem: string,
  ) {
    super(`cannot decode ${what} at byte ${offset}: ${problem}`);
  }
}

/** A record batch uses a compression codec the simulator does not implement. */
export class UnsupportedCompressionError extends KafkasimError {
  readonly code = 'UNSUPPORTED_COMPRESSION';
  constructor(
    /** The codec id from the batch attributes (2 snappy, 3 lz4, 4 zstd, 5-7 undefined). */
    readonly codec: number,
  ) {
    super(`record batch compression codec ${codec} (${codecName(codec)}) is not supported; supported: 0 (none), 1 (gzip)`);
  }
}

function codecName(codec: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? 'undefined';
}
