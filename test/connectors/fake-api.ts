import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Cuts the connection without an answer, as a network failure would. */
  drop?: boolean;
  /** Takes over the response (long-lived streams). */
  stream?: (res: ServerResponse, req: IncomingMessage) => void;
}

/**
 * A third-party API on loopback: routes answer from the test's data in the documented
 * shape; `failNext` queues answers (429, 5xx, garbage) served before the routes.
 */
export async function startFakeApi(route: (req: FakeRequest) => Reply | Promise<Reply>) {
  const requests: FakeRequest[] = [];
  const faults: Reply[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const r: FakeRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(r);
    let reply: Reply;
    try {
      reply = faults.shift() ?? (await route(r));
    } catch (err) {
      reply = { status: 500, json: { error: String(err) } };
    }
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    if (reply.stream) {
      open.add(res);
      res.on('close', () => open.delete(res));
      reply.stream(res, req);
      return;
    }
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain', ...reply.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(reply: Reply, times = 1) {
      for (let i = 0; i < times; i++) faults.push(reply);
    },
    clearFaults() {
      faults.length = 0;
    },
    /** Drops every open streaming connection, as a network cut would. */
    dropConnections() {
      for (const res of open) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type FakeApi = Awaited<ReturnType<typeof startFakeApi>>;

/** A page of `items` (newest first) from an offset, and the next offset if more remain. */
export function pageOf<T>(items: T[], offset: number, size: number): { page: T[]; next: number | null } {
  const page = items.slice(offset, offset + size);
  return { page, next: offset + size < items.length ? offset + size : null };
}
