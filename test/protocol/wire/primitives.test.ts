import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/sim/errors.ts';
import { WireDecodeError, WireReader, WireWriter, varintSize, varlongSize } from '../../../src/protocol/wire/index.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const reader = (text: string) => new WireReader(Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex')));

function written(write: (writer: WireWriter) => void): string {
  const writer = new WireWriter(1);
  write(writer);
  return hex(writer.finish());
}

describe('fixed-width integers are big-endian', () => {
  it.each([
    ['int8 -1', (w: WireWriter) => w.int8(-1), 'ff'],
    ['int16 258', (w: WireWriter) => w.int16(258), '0102'],
    ['int32 -2', (w: WireWriter) => w.int32(-2), 'fffffffe'],
    ['uint32 0xdeadbeef', (w: WireWriter) => w.uint32(0xdeadbeef), 'deadbeef'],
    ['int64 1', (w: WireWriter) => w.int64(1), '0000000000000001'],
    ['int64 -2 (earliest)', (w: WireWriter) => w.int64(-2), 'fffffffffffffffe'],
    ['int64 2^53-1', (w: WireWriter) => w.int64(Number.MAX_SAFE_INTEGER), '001fffffffffffff'],
    ['int64 -(2^53-1)', (w: WireWriter) => w.int64(-Number.MAX_SAFE_INTEGER), 'ffe0000000000001'],
    ['bool', (w: WireWriter) => (w.bool(true), w.bool(false)), '0100'],
  ])('%s', (_name, write, expected) => {
    expect(written(write)).toBe(expected);
  });

  it('int64 round-trips every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const writer = new WireWriter();
        writer.int64(value);
        expect(new WireReader(writer.finish()).int64()).toBe(value);
      }),
    );
  });

  it('an int64 outside the safe range is a decode error, not a rounded number', () => {
    expect(() => reader('0020000000000000').int64()).toThrow(WireDecodeError);
    expect(() => reader('8000000000000000').int64()).toThrow(/outside the safe integer range/);
  });

  it('writing a value out of a type\u2019s range names the type and the range', () => {
    expect(() => new WireWriter().int16(40_000)).toThrow(InvalidArgumentError);
    expect(() => new WireWriter().int16(40_000)).toThrow(/int16 must be an integer in \[-32768, 32767\], got 40000/);
    expect(() => new WireWriter().int32(1.5)).toThrow(/int32/);
    expect(() => new WireWriter().int64(2 ** 53)).toThrow(/int64 must be a safe integer/);
  });

  it('reads any non-zero byte as true, as Kafka does', () => {
    expect(reader('02').bool()).toBe(true);
  });
});

describe('zigzag varints (ByteUtils.writeVarint / writeVarlong)', () => {
  // The vectors of Kafka's ByteUtilsTest.testVarintSerde.
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [-65, '8101'],
    [8191, 'fe7f'],
    [-8192, 'ff7f'],
    [8192, '808001'],
    [-8193, '818001'],
    [1048575, 'feff7f'],
    [-1048576, 'ffff7f'],
    [1048576, '80808001'],
    [-1048577, '81808001'],
    [134217727, 'feffff7f'],
    [-134217728, 'ffffff7f'],
    [134217728, '8080808001'],
    [-134217729, '8180808001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('varint %i is %s, and varlong too', (value, expected) => {
    expect(written((w) => w.varint(value))).toBe(expected);
    expect(written((w) => w.varlong(value))).toBe(expected);
    expect(reader(expected).varint()).toBe(value);
    expect(reader(expected).varlong()).toBe(value);
    expect(varintSize(value)).toBe(expected.length / 2);
    expect(varlongSize(value)).toBe(expected.length / 2);
  });

  it('varlong round-trips every integer in [-2^52, 2^52 - 1] (whose zigzag form is a safe integer)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 - 1 }), (value) => {
        const writer = new WireWriter();
        writer.varlong(value);
        expect(writer.pos).toBe(varlongSize(value));
        expect(new WireReader(writer.finish()).varlong()).toBe(value);
      }),
    );
    expect(written((w) => w.varlong(-(2 ** 52)))).toBe('ffffffffffffff0f');
  });

  it('varlong refuses to write what it could not read back exactly', () => {
    expect(() => new WireWriter().varlong(2 ** 52)).toThrow(InvalidArgumentError);
    expect(() => new WireWriter().varlong(-(2 ** 52) - 1)).toThrow(/varlong must be an integer in \[-4503599627370496, 4503599627370495\]/);
  });

  it('a varint longer than 5 bytes or a varlong longer than 10 is an error', () => {
    expect(() => reader('8080808080 01').varint()).toThrow(/varint .*more than 5 bytes/);
    expect(() => reader('80808080808080808080 01').varlong()).toThrow(/varlong .*more than 10 bytes/);
  });

  it('a truncated varint is an error', () => {
    expect(() => reader('80').varint()).toThrow(WireDecodeError);
  });
});

describe('strings and bytes', () => {
  it('strings are an int16 length and UTF-8', () => {
    const utf8 = '000f' + Buffer.from('héllo ✓ 😀').toString('hex'); // 15 bytes: é 2, ✓ 3, 😀 4
    expect(written((w) => w.string('héllo ✓ 😀'))).toBe(utf8);
    expect(reader(utf8).string()).toBe('héllo ✓ 😀');
  });

  it('long strings (past the 64-byte ASCII fast path) read back', () => {
    const text = 'x'.repeat(100) + 'é';
    const writer = new WireWriter();
    writer.string(text);
    expect(new WireReader(writer.finish()).string()).toBe(text);
  });

  it('null strings and bytes are length -1; other negative lengths are errors', () => {
    expect(written((w) => w.nullableString(null))).toBe('ffff');
    expect(reader('ffff').nullableString()).toBeNull();
    expect(() => reader('ffff').string()).toThrow(/string .*negative length -1/);
    expect(() => reader('fffe').nullableString()).toThrow(/negative length -2/);
    expect(written((w) => w.nullableBytes(null))).toBe('ffffffff');
    expect(reader('ffffffff').nullableBytes()).toBeNull();
    expect(() => reader('ffffffff').bytes()).toThrow(/bytes .*negative length -1/);
  });

  it('a string longer than 32767 UTF-8 bytes cannot be written', () => {
    expect(() => new WireWriter().string('é'.repeat(20_000))).toThrow(/at most 32767 UTF-8 bytes/);
  });

  it('bytes read as a view into the frame, not a copy', () => {
    const frame = Uint8Array.from([0, 0, 0, 2, 7, 8]);
    const value = new WireReader(frame).bytes();
    expect(value).toStrictEqual(Uint8Array.of(7, 8));
    expect(value.buffer).toBe(frame.buffer);
  });

  it('a length beyond the buffer fails before allocating anything', () => {
    expect(() => reader('7fffffff 00').bytes()).toThrow(/bytes .*needs 2147483647 bytes, 1 left/);
    expect(() => reader('7fff 00').string()).toThrow(/string .*needs 32767 bytes, 1 left/);
  });
});

describe('arrays', () => {
  it('a count that cannot fit in the bytes left is refused before any element is read', () => {
    expect(() => reader('7fffffff 00000001').int32Array()).toThrow(/2147483647 elements of at least 4 bytes overrun the 4 bytes left/);
    expect(() => reader('ffffffff').int32Array()).toThrow(/negative length -1/);
  });

  it('a nullable array is -1 for null', () => {
    expect(reader('ffffffff').nullableArrayLength(4)).toBe(-1);
    expect(() => reader('fffffffe').nullableArrayLength(4)).toThrow(/negative length -2/);
  });

  it('int32 and string arrays round-trip', () => {
    const writer = new WireWriter();
    writer.int32Array([1, -1, 2147483647]);
    writer.stringArray(['a', '', 'ü']);
    const read = new WireReader(writer.finish());
    expect(read.int32Array()).toEqual([1, -1, 2147483647]);
    expect(read.stringArray()).toEqual(['a', '', 'ü']);
    read.expectEnd();
  });
});

describe('WireReader over part of a buffer', () => {
  it('reads a subarray at its own offsets (frames are views into socket chunks)', () => {
    const chunk = Uint8Array.from([0xaa, 0xbb, 0, 0, 0, 5, 0, 1, 0x41, 0xcc]);
    const frame = chunk.subarray(2, 9);
    const read = new WireReader(frame);
    expect(read.int32()).toBe(5);
    expect(read.string()).toBe('A');
    read.expectEnd();
    expect(() => read.int8()).toThrow(/needs 1 bytes, 0 left/);
  });

  it('stops at `end` even when the buffer goes on', () => {
    const read = new WireReader(Uint8Array.from([1, 2, 3, 4]), 1, 3);
    expect(read.int16()).toBe(0x0203);
    expect(() => read.int8()).toThrow(WireDecodeError);
  });
});

describe('WireWriter', () => {
  it('grows past its initial size and keeps what it wrote', () => {
    const writer = new WireWriter(1);
    for (let i = 0; i < 1000; i++) writer.int32(i);
    const read = new WireReader(writer.toBytes());
    for (let i = 0; i < 1000; i++) expect(read.int32()).toBe(i);
  });

  it('starts from an empty buffer too', () => {
    const writer = new WireWriter(0);
    writer.int64(1);
    expect(hex(writer.finish())).toBe('0000000000000001');
  });

  it('reserved int32s are filled in later', () => {
    const writer = new WireWriter();
    const at = writer.reserveInt32();
    writer.int16(1);
    writer.setInt32At(at, writer.pos - at - 4);
    expect(hex(writer.finish())).toBe('000000020001');
  });

  it('reset keeps the buffer and forgets the bytes', () => {
    const writer = new WireWriter();
    writer.int32(1);
    writer.reset();
    writer.int8(2);
    expect(hex(writer.finish())).toBe('02');
  });
});
