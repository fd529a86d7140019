// A pass-through HTTP proxy that writes down every request it forwards: the request log of a real
// upstream, which (unlike the simulators) keeps none the tests can read. Used to prove batching and
// token renewal against the real FlexMeasures and BEMServer.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query as sent upstream. */
  url: string;
  path: string;
  query: URLSearchParams;
  /** The upstream's status; null until it answers (or when it never did). */
  status: number | null;
}

export interface RecordingProxy {
  url: string;
  log: ProxiedRequest[];
  /** The requests whose path matches. */
  calls(path: string | RegExp): ProxiedRequest[];
  clear(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const log: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        const u = new URL(req.url ?? '/', 'http://proxy');
        log.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          path: u.pathname,
          query: u.searchParams,
          status: answer.statusCode ?? 0,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    calls: (path) => log.filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path))),
    clear: () => {
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
