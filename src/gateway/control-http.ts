/**
 * The control interface as a loopback HTTP endpoint, for scripts: `POST /fault` with a fault as
 * JSON (the simulator's vocabulary, src/sim/faults.ts and src/broker/broker-faults.ts), `POST
 * /command` with one control line (`control.ts`: `crash 2`, `partition 1 | 2,3,zk`, ...), and
 * `GET /state`. Answers are JSON: `{ "ok": true, ... }`, or `{ "ok": false, "error": ... }` with
 * status 400 for a fault or line that does not parse or validate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KafkasimError } from '../sim/errors.ts';
import type { Fault } from '../sim/faults.ts';
import { CONTROL_HELP, parseControlLine } from './control.ts';
import type { GatewayState } from './state.ts';

/** What the endpoint drives (a `Gateway`). */
export interface Controllable {
  applyFault(fault: Fault): Promise<void>;
  state(): GatewayState;
}

export interface ControlHttp {
  readonly address: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

/** Largest request body read (a fault is a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

export async function startControlHttp(target: Controllable, host: string, port: number): Promise<ControlHttp> {
  const server: Server = createServer((request, response) => {
    serve(target, request, response).catch((error: unknown) => send(response, 500, { ok: false, error: (error as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = address !== null && typeof address === 'object' ? address.port : port;
  return {
    address: { host, port: bound },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(target: Controllable, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/state') {
    send(response, 200, { ok: true, state: target.state() });
    return;
  }
  if (request.method === 'POST' && (path === '/fault' || path === '/command')) {
    const body = await readBody(request);
    if (body === undefined) {
      send(response, 413, { ok: false, error: `the body must be at most ${MAX_BODY_BYTES} bytes` });
      return;
    }
    let fault: Fault;
    try {
      if (path === '/fault') {
        fault = JSON.parse(body) as Fault;
      } else {
        const command = parseControlLine(body);
        if (command.kind === 'state') return send(response, 200, { ok: true, state: target.state() });
        if (command.kind === 'help') return send(response, 200, { ok: true, help: CONTROL_HELP });
        if (command.kind === 'stop') return send(response, 400, { ok: false, error: 'stop is for the console; stop the process instead' });
        fault = command.fault;
      }
      const applied = target.applyFault(fault);
      await applied;
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof KafkasimError) return send(response, 400, { ok: false, error: error.message });
      throw error;
    }
    send(response, 200, { ok: true, applied: fault });
    return;
  }
  send(response, 404, { ok: false, error: 'endpoints: GET /state, POST /fault (a fault as JSON), POST /command (a control line)' });
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}
