/**
 * The offsets a group has committed to a real broker's group coordinator, read as any client can:
 * FindCoordinator to a bootstrap broker, then OffsetFetch to the coordinator (-1: none committed).
 * On a broker this is what stands for the simulator's /consumers/<group>/offsets znodes.
 */
import type { Runtime } from '../../src/client/runtime.ts';
import { parseHostList } from '../../src/client/runtime.ts';
import { ErrorCode, errorName } from '../../src/protocol/errors.ts';

/** A coordinator not available yet (the broker is still creating its offsets topic) is asked again for this long. */
const FIND_COORDINATOR_WITHIN_MS = 15_000;

export async function coordinatorOffsets(runtime: Runtime, bootstrapServers: string, group: string, topic: string, partitions: number): Promise<number[]> {
  const [first] = parseHostList(bootstrapServers, 'bootstrap servers', 9092);
  const deadline = runtime.nowMs() + FIND_COORDINATOR_WITHIN_MS;
  let found;
  for (;;) {
    const bootstrap = await runtime.connect(first!.host, first!.port);
    try {
      found = await bootstrap.send({ api: 'FindCoordinator', clientId: 'lesson-offsets', correlationId: 0, groupId: group });
    } finally {
      bootstrap.close();
    }
    if (found.errorCode !== ErrorCode.ConsumerCoordinatorNotAvailable || runtime.nowMs() > deadline) break;
    await runtime.sleep(200);
  }
  if (found.errorCode !== ErrorCode.NoError) throw new Error(`no coordinator for group ${group}: ${errorName(found.errorCode)}`);
  const coordinator = await runtime.connect(found.coordinator.host, found.coordinator.port);
  try {
    const response = await coordinator.send({
      api: 'GroupOffsetFetch',
      clientId: 'lesson-offsets',
      correlationId: 0,
      groupId: group,
      partitions: Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
    });
    return Array.from({ length: partitions }, (_, p) => response.partitions.find((x) => x.topic === topic && x.partition === p)?.offset ?? -1);
  } finally {
    coordinator.close();
  }
}

/**
 * The first of `group`, `group-2`, `group-3`, ... that has committed no offset of `topic`: a run
 * whose story starts with a new group gets one even if an earlier run left offsets behind.
 */
export async function unusedGroup(runtime: Runtime, bootstrapServers: string, group: string, topic: string, partitions: number): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? group : `${group}-${n}`;
    const offsets = await coordinatorOffsets(runtime, bootstrapServers, candidate, topic, partitions);
    if (offsets.every((o) => o < 0)) return candidate;
  }
}
