/**
 * Message sizes: a string key or value counts its UTF-8 bytes, as Kafka's encoder writes them,
 * without being encoded; the ASCII fast path and the general loop agree with TextEncoder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMessage, LOG_OVERHEAD_BYTES, MESSAGE_HEADER_BYTES, utf8Length } from '../../src/protocol/message.ts';

describe('utf8Length', () => {
  it('is the length TextEncoder encodes, for any string (ASCII, BMP, astral, lone surrogates)', () => {
    const encoder = new TextEncoder();
    const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary-ascii' }));
    fc.assert(fc.property(anyString, (text) => utf8Length(text) === encoder.encode(text).length), { numRuns: 2_000 });
  });

  it('counts 1, 2, 3 and 4 bytes per character as UTF-8 does', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('jike')).toBe(4);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('测试')).toBe(6);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3);
  });
});

describe('createMessage', () => {
  it('sizes a message as its log entry: overhead, header, key and value bytes', () => {
    expect(createMessage('k', 'é').sizeBytes).toBe(LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + 1 + 2);
    expect(createMessage(null, new Uint8Array(10)).sizeBytes).toBe(LOG_OVERHEAD_BYTES + MESSAGE_HEADER_BYTES + 10);
  });
});
