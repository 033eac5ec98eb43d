/** Text views of the coordinator's state, for lessons and step-by-step replay. */
import { childNames, type ZNode, type ZooKeeperState } from './znode-tree.ts';

/** The znode tree, one node per line, with data, version and owner of ephemeral nodes. */
export function renderZooKeeperTree(state: ZooKeeperState, options: { maxDataChars?: number } = {}): string {
  const maxData = options.maxDataChars ?? 60;
  const lines: string[] = ['/'];
  const walk = (node: ZNode, indent: string) => {
    const names = childNames(node);
    names.forEach((name, index) => {
      const child = node.children[name]!;
      const last = index === names.length - 1;
      const data = child.data.length === 0 ? '' : `  = ${abbreviate(child.data, maxData)}`;
      const meta = [`v${child.version}`, child.ephemeralOwner === null ? '' : `ephemeral of ${child.ephemeralOwner}`]
        .filter((m) => m.length > 0)
        .join(', ');
      lines.push(`${indent}${last ? '└─ ' : '├─ '}${name}${data}  (${meta})`);
      walk(child, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(state.root, '');
  return lines.join('\n');
}

/** Live sessions: id, client, timeout, last heard, connected. */
export function renderZooKeeperSessions(state: ZooKeeperState, nowMs: number): string {
  const sessions = Object.values(state.sessions);
  if (sessions.length === 0) return '(no live sessions)';
  return sessions
    .map(
      (s) =>
        `session ${s.id}  ${s.client.padEnd(12)} timeout ${s.timeoutMs} ms, last heard ${nowMs - s.lastHeardMs} ms ago, ${s.connected ? 'connected' : 'no connection'}`,
    )
    .join('\n');
}

function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
