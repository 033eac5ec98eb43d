/**
 * The jute codec byte by byte, against the layouts in ZooKeeper's `zookeeper.jute`: big-endian
 * ints and longs, length-prefixed buffers and strings (-1: null), vectors with a count, every
 * frame prefixed by its length.
 */
import { describe, expect, it } from 'vitest';
import {
  JuteDecodeError,
  JuteReader,
  JuteWriter,
  decodeConnectResponse,
  decodeReplyHeader,
  decodeStat,
  decodeWatcherEvent,
  encodeConnectRequest,
  encodeRequest,
  hexSessionId,
} from '../../../src/real/zookeeper/jute.ts';

const hex = (buffer: Buffer) => buffer.toString('hex');

describe('jute codec', () => {
  it('a ConnectRequest: protocol version 0, last zxid, timeout, session id, 16-byte password, read-only flag', () => {
    const frame = encodeConnectRequest({ lastZxidSeen: 0x1234, timeoutMs: 6000, sessionId: 0x100000abcdn, password: new Uint8Array(16).fill(7) });
    expect(hex(frame)).toBe(
      '0000002d' + // frame length: 4 + 8 + 4 + 8 + (4 + 16) + 1 = 45
        '00000000' +
        '0000000000001234' +
        '00001770' +
        '000000100000abcd' +
        '00000010' +
        '07'.repeat(16) +
        '00',
    );
  });

  it('a create request: header (xid, op 1), path, data, the open ACL (world:anyone, all perms), the mode flag', () => {
    const frame = encodeRequest(5, { op: 'create', path: '/a', data: 'é', mode: 'ephemeral_sequential' });
    const reader = new JuteReader(frame.subarray(4));
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect([reader.int(), reader.int(), reader.string(), hex(reader.bytes()!)]).toEqual([5, 1, '/a', 'c3a9']);
    expect([reader.int(), reader.int(), reader.string(), reader.string(), reader.int()]).toEqual([1, 31, 'world', 'anyone', 3]);
    expect(reader.remaining).toBe(0);
  });

  it('SetWatches (xid -8, op 101): the relative zxid and three path vectors', () => {
    const frame = encodeRequest(-8, { op: 'setWatches', relativeZxid: 9, data: ['/d'], exist: [], child: ['/c1', '/c2'] });
    const reader = new JuteReader(frame.subarray(4));
    expect([reader.int(), reader.int(), reader.long()]).toEqual([-8, 101, 9n]);
    expect([reader.strings('data'), reader.strings('exist'), reader.strings('child')]).toEqual([['/d'], [], ['/c1', '/c2']]);
  });

  it('a ConnectResponse with a timeout of 0 is how the server says the session expired', () => {
    const granted = new JuteWriter().int(0).int(4000).long(0x1000abcn).bytes(Buffer.alloc(16, 1)).boolean(false).frame().subarray(4);
    expect(decodeConnectResponse(granted)).toEqual({ timeoutMs: 4000, sessionId: 0x1000abcn, password: Buffer.alloc(16, 1) });
    const expired = new JuteWriter().int(0).int(0).long(0).bytes(Buffer.alloc(16)).frame().subarray(4);
    expect(decodeConnectResponse(expired).timeoutMs).toBe(0);
  });

  it('a Stat: zxids and times as numbers, the owner as the hex session id (null for 0)', () => {
    const stat = (owner: bigint) =>
      new JuteWriter().long(3).long(4).long(1_700_000_000_000).long(1_700_000_000_001).int(2).int(5).int(0).long(owner).int(11).int(1).long(6).frame().subarray(4);
    expect(decodeStat(new JuteReader(stat(0x1000abcn)))).toEqual({
      czxid: 3,
      mzxid: 4,
      ctimeMs: 1_700_000_000_000,
      mtimeMs: 1_700_000_000_001,
      version: 2,
      cversion: 5,
      ephemeralOwner: '0x1000abc',
      dataLength: 11,
      numChildren: 1,
      pzxid: 6,
    });
    expect(decodeStat(new JuteReader(stat(0n))).ephemeralOwner).toBeNull();
    expect(hexSessionId(-1n)).toBe('0xffffffffffffffff');
  });

  it('a notification: reply header xid -1, then the WatcherEvent; session-state events are not node events', () => {
    const body = new JuteWriter().int(-1).long(-1).int(0).int(4).int(3).string('/brokers/ids').frame().subarray(4);
    const reader = new JuteReader(body);
    expect(decodeReplyHeader(reader)).toEqual({ xid: -1, zxid: -1, err: 0 });
    expect(decodeWatcherEvent(reader)).toEqual({ type: 'NodeChildrenChanged', path: '/brokers/ids' });
    const none = new JuteWriter().int(-1).int(3).string('').frame().subarray(4);
    expect(decodeWatcherEvent(new JuteReader(none))).toBeUndefined();
  });

  it('a frame shorter than its record is refused, naming the field', () => {
    expect(() => decodeStat(new JuteReader(Buffer.alloc(10)))).toThrow(JuteDecodeError);
    expect(() => decodeStat(new JuteReader(Buffer.alloc(10)))).toThrow('frame too short for mzxid: 8 bytes needed at offset 8, 2 left');
    expect(() => new JuteReader(new JuteWriter().int(-5).frame().subarray(4)).bytes('data')).toThrow('negative length -5 for data');
  });
});
