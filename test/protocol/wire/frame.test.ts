import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_BYTES, FrameAssembler, FrameReader, WireDecodeError } from '../../../src/protocol/wire/index.ts';

function sized(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setInt32(0, body.length);
  frame.set(body, 4);
  return frame;
}

function drain(reader: FrameReader): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let frame = reader.next(); frame !== null; frame = reader.next()) frames.push(frame);
  return frames;
}

describe('FrameReader', () => {
  it('hands out each frame without its size prefix, none before it is whole', () => {
    const reader = new FrameReader();
    const stream = sized(Uint8Array.of(1, 2, 3));
    reader.push(stream.subarray(0, 2));
    expect(reader.next()).toBeNull();
    reader.push(stream.subarray(2, 6));
    expect(reader.next()).toBeNull();
    expect(reader.buffered).toBe(6);
    reader.push(stream.subarray(6));
    expect(reader.next()).toStrictEqual(Uint8Array.of(1, 2, 3));
    expect(reader.next()).toBeNull();
    expect(reader.buffered).toBe(0);
  });

  it('splits any stream of frames the same way however it is chunked (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (bodies, cuts) => {
        const stream = Uint8Array.from(Buffer.concat(bodies.map(sized)));
        const reader = new FrameReader();
        const frames: Uint8Array[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const next = Math.min(stream.length, at + cuts[i % cuts.length]!);
          reader.push(stream.subarray(at, next));
          at = next;
          frames.push(...drain(reader));
        }
        expect(frames).toStrictEqual(bodies);
        expect(reader.buffered).toBe(0);
      }),
    );
  });

  it('a frame inside one chunk is a view of it; frames stay valid after later pushes', () => {
    const reader = new FrameReader();
    const chunk = Uint8Array.from(Buffer.concat([sized(Uint8Array.of(7)), sized(Uint8Array.of(8, 9))]));
    reader.push(chunk);
    const [first, second] = drain(reader);
    expect(first!.buffer).toBe(chunk.buffer);
    reader.push(sized(Uint8Array.of(1)));
    expect(drain(reader)).toStrictEqual([Uint8Array.of(1)]);
    expect([first, second]).toStrictEqual([Uint8Array.of(7), Uint8Array.of(8, 9)]);
  });

  it('an empty frame is a frame', () => {
    const reader = new FrameReader();
    reader.push(sized(new Uint8Array(0)));
    expect(drain(reader)).toStrictEqual([new Uint8Array(0)]);
  });

  it('a size above the maximum fails as soon as the 4 size bytes are in, without waiting or allocating', () => {
    const reader = new FrameReader(1_000);
    reader.push(Uint8Array.of(0x7f, 0xff));
    expect(reader.next()).toBeNull();
    reader.push(Uint8Array.of(0xff, 0xff));
    expect(() => reader.next()).toThrow(WireDecodeError);
    expect(() => reader.next()).toThrow(/frame size .*2147483647 is not in \[0, 1000\]/);
  });

  it('a negative size fails', () => {
    const reader = new FrameReader();
    reader.push(Uint8Array.of(0xff, 0xff, 0xff, 0xfe));
    expect(() => reader.next()).toThrow(/-2 is not in \[0, 104857600\]/);
  });

  it('a frame of exactly the maximum is accepted', () => {
    const reader = new FrameReader(3);
    reader.push(sized(Uint8Array.of(1, 2, 3)));
    expect(drain(reader)).toStrictEqual([Uint8Array.of(1, 2, 3)]);
  });

  it("defaults to Kafka's socket.request.max.bytes, 100 MiB", () => {
    expect(new FrameReader().maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(104_857_600);
  });
});

/** Reads `stream` through an assembler as a socket would: each read brings at most what the handed buffer holds. */
function readThrough(assembler: FrameAssembler, stream: Uint8Array, readSizes: readonly number[]): { frames: Uint8Array[]; handed: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const handed: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const buffer = assembler.buffer();
    expect(buffer.length).toBeGreaterThan(0);
    handed.push(buffer);
    const n = Math.min(buffer.length, stream.length - at, readSizes[i % readSizes.length]!);
    buffer.set(stream.subarray(at, at + n));
    at += n;
    assembler.received(n, (frame) => frames.push(frame));
  }
  return { frames, handed };
}

const plain = (frames: readonly Uint8Array[]) => frames.map((f) => Uint8Array.from(f));

describe('FrameAssembler', () => {
  it('splits any stream of frames as FrameReader does, whatever the reads and the staging size (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1 }),
        fc.integer({ min: 4, max: 512 }),
        (bodies, reads, stagingBytes) => {
          const stream = Uint8Array.from(Buffer.concat(bodies.map(sized)));
          const { frames } = readThrough(new FrameAssembler(DEFAULT_MAX_FRAME_BYTES, stagingBytes), stream, reads);
          expect(plain(frames)).toStrictEqual(bodies);
        },
      ),
    );
  });

  it('reads the rest of a large frame straight into the frame itself, which is handed out as it is', () => {
    const assembler = new FrameAssembler();
    const body = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const { frames, handed } = readThrough(assembler, sized(body), [65_536]);
    expect(frames).toHaveLength(1);
    expect(Buffer.compare(frames[0]!, body)).toBe(0);
    expect(handed).toHaveLength(2);
    expect(handed[1]!.buffer).toBe(frames[0]!.buffer); // the second read went into the frame
    expect(handed[1]!.byteOffset - frames[0]!.byteOffset).toBe(65_536 - 4);
  });

  it('frames stay valid after the staging buffer is reused', () => {
    const assembler = new FrameAssembler(DEFAULT_MAX_FRAME_BYTES, 16);
    const { frames } = readThrough(assembler, Uint8Array.from(Buffer.concat([sized(Uint8Array.of(1, 2)), sized(Uint8Array.of(3)), sized(Uint8Array.of(4, 5, 6))])), [3]);
    expect(plain(frames)).toStrictEqual([Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6)]);
  });

  it('a size above the maximum or negative fails as soon as the 4 size bytes are in, without allocating the frame', () => {
    for (const [prefix, message] of [
      [Uint8Array.of(0x00, 0x00, 0x03, 0xe9), /1001 is not in \[0, 1000\]/],
      [Uint8Array.of(0xff, 0xff, 0xff, 0xfe), /-2 is not in \[0, 1000\]/],
    ] as const) {
      const assembler = new FrameAssembler(1_000);
      assembler.buffer().set(prefix.subarray(0, 2));
      assembler.received(2, () => expect.unreachable());
      assembler.buffer().set(prefix.subarray(2));
      expect(() => assembler.received(2, () => expect.unreachable())).toThrow(WireDecodeError);
      expect(() => assembler.received(0, () => expect.unreachable())).toThrow(message);
    }
  });

  it('an empty frame and a frame of exactly the maximum are frames', () => {
    const { frames } = readThrough(new FrameAssembler(3), Uint8Array.from(Buffer.concat([sized(new Uint8Array(0)), sized(Uint8Array.of(1, 2, 3))])), [64]);
    expect(plain(frames)).toStrictEqual([new Uint8Array(0), Uint8Array.of(1, 2, 3)]);
  });
});
