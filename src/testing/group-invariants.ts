/**
 * Consumer group invariants, read from ZooKeeper after every step (beside the group, like the
 * broker checkers):
 * - `group-owners-registered`: every partition owner (/consumers/<g>/owners/<t>/<p>, holding a
 *   thread id `<consumerId>-<n>`) is a thread of a registered member (/consumers/<g>/ids/<id>),
 *   and a thread the member's subscription has (n < its stream count for that topic). An owner
 *   outliving its member would keep the partition from everyone.
 */
import { ParsedZnodes, type InvariantChecker } from '../broker/invariants.ts';
import { parseConsumerRegistration } from '../protocol/zk-data.ts';
import { lookup } from '../zookeeper/znode-tree.ts';

export function groupOwnersRegistered(): InvariantChecker {
  /** ZooKeeper's zxid at the last check: without a write since, nothing can have changed. */
  let checkedZxid = -1;
  const registrations = new ParsedZnodes(parseConsumerRegistration);
  return {
    name: 'group-owners-registered',
    reads: ['zookeeper'],
    check(sim) {
      if (sim.zookeeper.state.zxid === checkedZxid) return undefined;
      checkedZxid = sim.zookeeper.state.zxid;
      const consumers = lookup(sim.zookeeper.state, '/consumers');
      if (consumers === undefined) return undefined;
      for (const [group, groupNode] of Object.entries(consumers.children)) {
        const owners = groupNode.children.owners;
        if (owners === undefined) continue;
        const ids = groupNode.children.ids?.children ?? {};
        for (const [topic, topicNode] of Object.entries(owners.children)) {
          for (const [partition, ownerNode] of Object.entries(topicNode.children)) {
            const threadId = ownerNode.data;
            const dash = threadId.lastIndexOf('-');
            const consumerId = threadId.slice(0, dash);
            const thread = Number(threadId.slice(dash + 1));
            const registration = ids[consumerId];
            if (registration === undefined) return `group ${group}: ${topic}-${partition} is owned by ${threadId}, whose consumer ${consumerId} is not registered`;
            const streams = registrations.of(registration).subscription[topic] ?? 0;
            if (!(thread < streams)) return `group ${group}: ${topic}-${partition} is owned by ${threadId}, but ${consumerId} has ${streams} stream(s) of ${topic}`;
          }
        }
      }
      return undefined;
    },
  };
}
