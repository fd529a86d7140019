// Benchmark child: "the upstream call alone". For each workload it makes the fewest upstream calls
// the upstreams allow, directly (keep-alive HTTP, tokens fetched once), reads every body and sends
// the raw bytes back: the time any gateway needs at the least. FlexMeasures v3_0 calls obey the
// same concurrency limit the gateway is given.
import { Agent, createServer, request } from 'node:http';

interface Setup {
  urls: { meetnet: string; flexmeasures: string; bemserver: string };
  account: { user: string; password: string };
  fmConcurrency: number;
}
interface Workload {
  meetnet: { ids: string[]; from: string; to: string; latest: boolean } | null;
  flexmeasures: { ids: string[]; start: string; duration: string } | null;
  bemserver: { ids: string[]; start: string; end: string } | null;
  write: { sensor: string; body: unknown } | null;
}

const setup = JSON.parse(process.env.BENCH_SETUP!) as Setup;
const workloads = JSON.parse(process.env.BENCH_WORKLOADS!) as Record<string, Workload>;
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function call(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string, retried = false): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${url} → ${res.statusCode}: ${text.slice(0, 200)}`));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  }).catch((err: NodeJS.ErrnoException) => {
    // A kept-alive socket the server closed as it was reused: any client tries a read once more
    // (the gateway retries its idempotent calls), or the floor would count the race as an upstream failure.
    if (!retried && err.code === 'ECONNRESET') return call(method, url, headers, body, true);
    throw err;
  });
}

const json = { 'content-type': 'application/json', accept: 'application/json' };
const tokens = {
  meetnet: (
    JSON.parse(
      await call(
        'POST',
        `${setup.urls.meetnet}/Token`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ grant_type: 'password', username: setup.account.user, password: setup.account.password }).toString(),
      ),
    ) as { access_token: string }
  ).access_token,
  flexmeasures: (
    JSON.parse(
      await call(
        'POST',
        `${setup.urls.flexmeasures}/api/requestAuthToken`,
        json,
        JSON.stringify({ email: setup.account.user, password: setup.account.password }),
      ),
    ) as { auth_token: string }
  ).auth_token,
  bemserver: (
    JSON.parse(
      await call(
        'POST',
        `${setup.urls.bemserver}/auth/token`,
        json,
        JSON.stringify({ email: setup.account.user, password: setup.account.password }),
      ),
    ) as {
      access_token: string;
    }
  ).access_token,
};

/** At most `max` at once, like the gateway's FLEXMEASURES_CONCURRENCY. */
async function limited<T>(items: T[], max: number, run: (item: T) => Promise<string>): Promise<string[]> {
  const out: string[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(max, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

async function perform(w: Workload): Promise<string[]> {
  const calls: Array<Promise<string | string[]>> = [];
  const m = w.meetnet;
  if (m) {
    const auth = { ...json, authorization: `Bearer ${tokens.meetnet}` };
    if (m.from)
      calls.push(call('POST', `${setup.urls.meetnet}/V2/getData`, auth, JSON.stringify({ StartTime: m.from, EndTime: m.to, IDs: m.ids })));
    if (m.latest) calls.push(call('POST', `${setup.urls.meetnet}/V2/currentData`, auth, JSON.stringify({ IDs: m.ids })));
  }
  const f = w.flexmeasures;
  if (f) {
    const auth = { ...json, authorization: tokens.flexmeasures };
    calls.push(
      // Ids may carry their unit (`32:EUR/MWh`); power in MW otherwise.
      limited(f.ids, setup.fmConcurrency, (entry) => {
        const [id, unit = 'MW'] = entry.split(/:(.*)/s);
        return call(
          'GET',
          `${setup.urls.flexmeasures}/api/v3_0/sensors/${id}/data?${new URLSearchParams({ start: f.start, duration: f.duration, unit })}`,
          auth,
        );
      }),
    );
  }
  const b = w.bemserver;
  if (b) {
    const q = new URLSearchParams({ start_time: b.start, end_time: b.end, data_state: '1', timezone: 'UTC' });
    for (const id of b.ids) q.append('timeseries', id);
    calls.push(call('GET', `${setup.urls.bemserver}/timeseries_data/?${q}`, { ...json, authorization: `Bearer ${tokens.bemserver}` }));
  }
  if (w.write) {
    const auth = { ...json, authorization: tokens.flexmeasures };
    calls.push(call('POST', `${setup.urls.flexmeasures}/api/v3_0/sensors/${w.write.sensor}/data`, auth, JSON.stringify(w.write.body)));
  }
  return (await Promise.all(calls)).flat();
}

const server = createServer((req, res) => {
  const w = workloads[(req.url ?? '/').slice(1)];
  req.resume();
  if (!w) {
    res.statusCode = 404;
    res.end();
    return;
  }
  perform(w).then(
    (bodies) => {
      res.setHeader('content-type', 'application/json');
      res.end(bodies.length === 1 ? bodies[0] : `[${bodies.join(',')}]`);
    },
    (err: unknown) => {
      res.statusCode = 502;
      res.end(String(err));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`);
});
