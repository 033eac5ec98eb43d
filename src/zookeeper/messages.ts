/**
 * What the simulated ZooKeeper client and server exchange over a simulated connection: one
 * request per operation, one response each, and watch events pushed by the server. A model of
 * ZooKeeper's client protocol (ConnectRequest, request headers with an op code, ReplyHeader with
 * an error code, WatcherEvent notifications), not its byte encoding.
 */
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
