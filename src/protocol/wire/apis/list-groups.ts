/**
 * ListGroups (key 16), versions 0-2 (`ListGroupsRequest`/`ListGroupsResponse`): the groups this
 * broker coordinates. The request has no fields before v4; v1 adds the throttle time; v2 changes
 * only semantics.
 *
 * Not modelled: v3+ (flexible; v4 filters by state).
 */
import type { ApiDescriptor } from '../api-descriptor.ts';
import type { WireReader, WireWriter } from '../primitives.ts';

export type ListGroupsRequest = Record<string, never>;

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
}

export interface ListGroupsResponse {
  /** v1+; default 0. */
  readonly throttleTimeMs?: number;
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

const EMPTY: ListGroupsRequest = {};

export const listGroupsApi: ApiDescriptor<'ListGroups', ListGroupsRequest, ListGroupsResponse> = {
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  decodeRequest: () => EMPTY,
  encodeRequest: () => {},

  decodeResponse(reader: WireReader, version: number): ListGroupsResponse {
    const throttleTimeMs = version >= 1 ? reader.int32() : undefined;
    const errorCode = reader.int16();
    const count = reader.arrayLength(4);
    const groups: ListedGroup[] = [];
    for (let i = 0; i < count; i++) groups.push({ groupId: reader.string(), protocolType: reader.string() });
    return throttleTimeMs === undefined ? { errorCode, groups } : { throttleTimeMs, errorCode, groups };
  },

  encodeResponse(writer: WireWriter, body: ListGroupsResponse, version: number): void {
    if (version >= 1) writer.int32(body.throttleTimeMs ?? 0);
    writer.int16(body.errorCode);
    writer.arrayLength(body.groups.length);
    for (const group of body.groups) {
      writer.string(group.groupId);
      writer.string(group.protocolType);
    }
  },
};
