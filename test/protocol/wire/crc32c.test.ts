import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from '../../../src/protocol/wire/crc32c.ts';

const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

/** Bit-at-a-time CRC-32C, straight from the definition: the reference for the table-driven one. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c (Castagnoli)', () => {
  // RFC 3720 (iSCSI), appendix B.4, and the "check" value of the CRC catalogue.
  it.each([
    ['32 bytes of zeros', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 ascending bytes 0..31', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['32 descending bytes 31..0', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ['"123456789"', ascii('123456789'), 0xe3069283],
    ['nothing', new Uint8Array(0), 0],
  ])('%s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('covers exactly [start, end)', () => {
    const framed = ascii('xx123456789yyy');
    expect(crc32c(framed, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with the bit-at-a-time definition on any bytes and any range (slicing-by-16 boundaries), in views at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), fc.nat({ max: 7 }), (bytes, a, b, shift) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(crc32c(bytes, start, end)).toBe(referenceCrc32c(bytes.subarray(start, end)));
        // The same bytes as a view `shift` bytes into a larger buffer (the words are read through a DataView).
        const padded = new Uint8Array(shift + bytes.length);
        padded.set(bytes, shift);
        expect(crc32c(padded.subarray(shift), start, end)).toBe(referenceCrc32c(bytes.subarray(start, end)));
      }),
    );
  });
});

describe('crc32 (IEEE, legacy messages)', () => {
  it('"123456789" gives the catalogue check value', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('xx123456789'), 2)).toBe(0xcbf43926);
  });
});
