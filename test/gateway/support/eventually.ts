/**
 * The one wait of the gateway tests: real clients, sockets and the wall-clock-paced simulation get
 * somewhere in wall time, so a test polls for it, with a deadline that names what never came.
 */

const POLL_MS = 50;

/** Polls `condition` until it holds; fails after `timeoutMs` naming `what`, with `detail()` when that says anything. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, detail: () => string = () => ''): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      const more = detail();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${more ? `: ${more}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
