/**
 * What the simulated ZooKeeper client and server exchange over a simulated connection: one
 * request per operation, one response each, and watch events pushed by the server. A model of
 * ZooKeeper's client protocol (ConnectRequest, request headers with an op code, ReplyHeader with
 * an error code, WatcherEvent notifications), not its byte encoding.
 */
import { utf8Length } from '../protocol/message.ts';
import type { CreateMode, Stat, WatchEventType } from '../protocol/zookeeper.ts';

export type ZkRequest =
  | {
      readonly op: 'connect';
      readonly sessionId: string | undefined;
      readonly timeoutMs: number;
      /** The last transaction the client saw (it sends `SetWatches` relative to it). */
      readonly lastZxid: number;
      /** On reconnection, the watches the client still holds (ZooKeeper's `SetWatches`). */
      readonly watches?: { readonly data: readonly string[]; readonly exist: readonly string[]; readonly child: readonly string[] };
    }
  | { readonly op: 'ping' }
  | { readonly op: 'create'; readonly path: string; readonly data: string; readonly mode: CreateMode }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'exists'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'getData'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly op: 'getChildren'; readonly path: string; readonly watch: boolean }
  | { readonly op: 'close' };

export type ZkOp = ZkRequest['op'];

export interface ZkResponse {
  /** 0 or a `ZkErrorCode`. */
  readonly err: number;
  /** The server's last transaction id when it answered (ZooKeeper's `ReplyHeader.zxid`). */
  readonly zxid: number;
  readonly path?: string;
  readonly stat?: Stat | null;
  readonly data?: string;
  readonly children?: readonly string[];
  /** connect: the session granted, or `expired` when the session asked for is gone. */
  readonly sessionId?: string;
  readonly timeoutMs?: number;
  readonly expired?: boolean;
}

export interface ZkWatchNotification {
  readonly type: WatchEventType;
  readonly path: string;
  readonly zxid: number;
}

export const ZOOKEEPER_PORT = 2181;

/**
 * ZooKeeper's `jute.maxbuffer` default: a server drops a connection whose next request frame is
 * longer (`NIOServerCnxn.readLength`: "Len error").
 */
export const JUTE_MAX_BUFFER = 0xfffff;

/**
 * The length of the frame ZooKeeper's client would send for `request` (after the 4-byte length):
 * the request header (xid, op), then each field (strings and buffers with a 4-byte length; a
 * create carries the open ACL, world:anyone, and its mode flag).
 */
export function requestFrameBytes(request: Exclude<ZkRequest, { op: 'connect' }>): number {
  const header = 8;
  switch (request.op) {
    case 'ping':
    case 'close':
      return header;
    case 'create':
      return header + 4 + utf8Length(request.path) + 4 + utf8Length(request.data) + 27 + 4;
    case 'setData':
      return header + 4 + utf8Length(request.path) + 4 + utf8Length(request.data) + 4;
    case 'delete':
      return header + 4 + utf8Length(request.path) + 4;
    case 'exists':
    case 'getData':
    case 'getChildren':
      return header + 4 + utf8Length(request.path) + 1;
  }
}
