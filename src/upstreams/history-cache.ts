// Series windows that can no longer change, shared by every replica through Redis. A window is
// final once its end is older than its upstream's <UPSTREAM>_HISTORY_FINAL_AFTER_MS: after that,
// the upstream answers it the same way every time (late data has arrived, corrections are made).
// Reads of instants are cut into UTC days (history-days.ts): a year ending now is then its final
// days from Redis and its recent days from the upstream; other reads are cached as whole windows.
// Each request's series loader is wrapped: its entries are looked up in one MGET for the whole
// batch (one per 2048 keys), what is missing goes to the upstream in the batched calls it made
// before, and what the upstream answered is stored (pipelines of SET … EX), errors never. Recent
// windows pass by.
// A Redis that fails or is slow (REDIS_TIMEOUT_MS) never fails a read: it goes to the upstream.
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Redis } from 'ioredis';
import { Outage } from '../shared/outage.js';
import type { UpstreamObserver } from './observer.js';
import { cutIntoDays, DAY_MS, daysOf, join, readsFor } from './history-days.js';
import { decodeSeries, encodeSeries } from './series-codec.js';
import { seriesCacheKey, type SeriesKey, type SeriesResult } from './series.js';

/** Whose data an upstream's answers are, and when its windows stop changing. */
export interface HistoryUpstream {
  baseUrl: string;
  login: string;
  finalAfterMs: number;
}

export interface HistoryCacheOptions {
  /** null: no shared cache (every loader is left as it is). */
  redis: Redis | null;
  /** REDIS_KEY_PREFIX. */
  prefix: string;
  /** HISTORY_CACHE_TTL_S; 0: no shared cache. */
  ttlS: number;
  /** HISTORY_CACHE_MAX_BYTES: larger encoded series are not stored. */
  maxBytes: number;
  /** By upstream name; an upstream not listed is not cached. */
  upstreams: ReadonlyMap<string, HistoryUpstream>;
  /** Shared with the other users of Redis that must not fail a query. */
  outage: Outage;
  clock?: () => number;
  /** Told of each batch's look-ups and stores (metrics). */
  observer?: Pick<UpstreamObserver, 'historyLookup' | 'historyStore'>;
}

/**
 * The service account as it may appear in a key: a digest of the base URL and the login, so that
 * two accounts (or two servers) never share entries; never the password or a token.
 */
export function accountDigest(baseUrl: string, login: string): string {
  return createHash('sha256').update(`${baseUrl}\n${login}`).digest('hex').slice(0, 16);
}

/**
 * `<prefix>history:<upstream>:<account>:<sensor>:<from>-<to>`, then every other field of the key
 * that is set, by name in alphabetical order (`:bucket={aggregation=avg,widthUnit=hour,widthValue=1}:dataState=Clean`):
 * a field SeriesKey gains joins the key without a change here, so two reads that differ in
 * anything never share an entry. Values are escaped where they hold a separator.
 */
export function historyKey(prefix: string, upstream: string, account: string, k: SeriesKey): string {
  let key = `${sensorHead(prefix, 'history', upstream, account, k.sensor)}:${k.from}-${k.to}`;
  for (const name of Object.keys(k).sort()) {
    if (name === 'sensor' || name === 'from' || name === 'to') continue;
    const value = (k as unknown as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) key += `:${name}=${canonical(value)}`;
  }
  return key;
}

/** `<prefix><kind>:<upstream>:<account>:<sensor>`: where a sensor's entries (`history`) and their index (`history-index`) are named. */
function sensorHead(prefix: string, kind: 'history' | 'history-index', upstream: string, account: string, sensor: string): string {
  return `${prefix}${kind}:${upstream}:${account}:${escape(sensor)}`;
}

function canonical(v: unknown): string {
  if (typeof v === 'string') return escape(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const fields = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${fields.map(([name, x]) => `${name}=${canonical(x)}`).join(',')}}`;
  }
  return String(v);
}

/** The separators of the key (and spaces, controls), percent-encoded: `km/h` and `°C` stay as they are. */
const escape = (s: string): string => s.replace(/[%:;=,{}[\]\s\p{Cc}]/gu, (c) => encodeURIComponent(c));

/** Most keys one MGET asks for, or one pipeline of SETs sends. */
const REDIS_BATCH_KEYS = 2048;

export class HistoryCache {
  /** No shared cache: every loader as it is. */
  static readonly none = new HistoryCache({
    redis: null,
    prefix: '',
    ttlS: 0,
    maxBytes: 0,
    upstreams: new Map(),
    outage: new Outage({ retryMs: 0, down: () => undefined, back: () => undefined }),
  });

  private readonly clock: () => number;

  constructor(private readonly o: HistoryCacheOptions) {
    this.clock = o.clock ?? Date.now;
  }

  /** Whether anything is cached at all (Redis configured, a TTL). */
  get enabled(): boolean {
    return this.o.redis !== null && this.o.ttlS > 0;
  }

  /**
   * The request's series loader for `upstream`, answering final windows from Redis first. Reads
   * `cuts` allows are cut into UTC days (history-days.ts), each final day an entry; other reads are
   * an entry as a whole window, once final.
   */
  wrap(
    upstream: string,
    inner: DataLoader<SeriesKey, SeriesResult, string>,
    batch: boolean,
    cuts: (key: SeriesKey) => boolean | Promise<boolean> = () => false,
  ): DataLoader<SeriesKey, SeriesResult, string> {
    const u = this.o.upstreams.get(upstream);
    if (!this.enabled || !u) return inner;
    const account = accountDigest(u.baseUrl, u.login);
    const entry = (k: SeriesKey) => historyKey(this.o.prefix, upstream, account, k);
    return new DataLoader<SeriesKey, SeriesResult, string>(
      async (keys) => {
        const finalBefore = this.clock() - u.finalAfterMs;
        const plans = await Promise.all(keys.map(async (k) => plan(k, finalBefore, await cutsSafely(cuts, k), entry)));
        // One MGET for the whole batch: every plan's entries, side by side.
        const found = await this.lookup(
          upstream,
          plans.flatMap((p) => p.entries),
        );
        let at = 0;
        const reads: SeriesKey[] = [];
        const filled = plans.map((p) => {
          const hits = p.entries.map((_, i) => found.get(at + i) ?? null);
          at += p.entries.length;
          const own = p.reads(hits);
          reads.push(...own);
          return { p, hits, own };
        });
        const loaded = reads.length > 0 ? await inner.loadMany(reads) : [];
        let r = 0;
        const toStore: Entry[] = [];
        const out = filled.map(({ p, hits, own }, i) => {
          const answers = loaded.slice(r, (r += own.length));
          const failed = answers.find((a): a is Error => a instanceof Error);
          // Only what the upstream answered: an error is asked again next time.
          if (failed) return failed;
          const read = answers as SeriesResult[];
          for (const [key, series] of p.store(hits, own, read))
            toStore.push({ key, series, index: this.indexKey(upstream, account, keys[i]!.sensor) });
          return p.answer(hits, own, read);
        });
        this.store(upstream, toStore);
        return out;
      },
      { batch, cacheKeyFn: seriesCacheKey },
    );
  }

  /** The series found for the entries that have one, by index; one MGET per REDIS_BATCH_KEYS of them. */
  private async lookup(upstream: string, keys: readonly string[]): Promise<Map<number, SeriesResult>> {
    const found = new Map<number, SeriesResult>();
    if (keys.length === 0) return found;
    const redis = this.o.redis!;
    if (!this.o.outage.attempt()) {
      this.o.observer?.historyLookup(upstream, 'error', keys.length);
      return found;
    }
    const replies: Array<Buffer | null> = [];
    try {
      // In MGETs of at most REDIS_BATCH_KEYS, one after another: ten years of days of ten sensors
      // are 36 600 keys, whose one MGET blocked Redis for 30 ms and answered 15 MiB at once; and
      // spreading more than about 125 000 keys into one call overflows the JavaScript stack.
      for (let at = 0; at < keys.length; at += REDIS_BATCH_KEYS) {
        replies.push(...(await redis.mgetBuffer(keys.slice(at, at + REDIS_BATCH_KEYS))));
      }
      this.o.outage.succeeded();
    } catch (err) {
      this.o.outage.failed(err);
      this.o.observer?.historyLookup(upstream, 'error', keys.length);
      return found;
    }
    replies.forEach((reply, i) => {
      // A value of another format (an older gateway's, say) is a miss: the upstream's answer replaces it.
      const series = reply ? decodeSeries(reply) : null;
      if (series) found.set(i, series);
    });
    if (found.size > 0) this.o.observer?.historyLookup(upstream, 'hit', found.size);
    if (keys.length > found.size) this.o.observer?.historyLookup(upstream, 'miss', keys.length - found.size);
    return found;
  }

  /**
   * Encodes now (the answer is the caller's once returned) and sends pipelines of at most
   * REDIS_BATCH_KEYS, one after another; nobody waits for them, and their failure only counts.
   * Ten years of days of forty sensors are 146 400 SETs: in one pipeline their replies outlast
   * REDIS_TIMEOUT_MS, which told every user of Redis it did not answer.
   */
  private store(upstream: string, entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    if (!this.o.outage.attempt()) {
      this.o.observer?.historyStore(upstream, 'error', entries.length);
      return;
    }
    const encoded: Array<Entry & { bytes: Buffer }> = [];
    for (const e of entries) {
      const bytes = encodeSeries(e.series);
      if (bytes.length <= this.o.maxBytes) encoded.push({ ...e, bytes });
    }
    if (encoded.length < entries.length) this.o.observer?.historyStore(upstream, 'too_large', entries.length - encoded.length);
    void this.send(upstream, encoded);
  }

  private async send(upstream: string, encoded: ReadonlyArray<Entry & { bytes: Buffer }>): Promise<void> {
    for (let at = 0; at < encoded.length; at += REDIS_BATCH_KEYS) {
      const part = encoded.slice(at, at + REDIS_BATCH_KEYS);
      const pipeline = this.o.redis!.pipeline();
      for (const e of part) pipeline.set(e.key, e.bytes, 'EX', this.o.ttlS);
      // Each sensor's index names its entries, for writes to find (forget), scored by when they were
      // stored: those stored a TTL ago have expired and leave the index here. A plain set kept
      // them: an index grew by every window ever read (100 000 members in five minutes of reads of
      // one sensor), and each write's look-up of it with it. It lives as long as its newest entry.
      const now = this.clock();
      const indexes = new Map<string, Array<number | string>>();
      for (const e of part) indexes.set(e.index, [...(indexes.get(e.index) ?? []), now, e.key]);
      for (const [index, scored] of indexes) {
        pipeline
          .zadd(index, ...scored)
          .zremrangebyscore(index, '-inf', now - this.o.ttlS * 1000)
          .expire(index, this.o.ttlS);
      }
      try {
        const results = (await pipeline.exec()) ?? [];
        const sets = results.slice(0, part.length);
        const failed = sets.filter(([err]) => err).length;
        const firstError = results.find(([err]) => err)?.[0];
        if (firstError) this.o.outage.failed(firstError);
        else this.o.outage.succeeded();
        if (part.length > failed) this.o.observer?.historyStore(upstream, 'stored', part.length - failed);
        if (failed > 0) this.o.observer?.historyStore(upstream, 'error', failed);
        if (firstError) {
          // Redis fails: the rest is not sent (counted as failed).
          const rest = encoded.length - at - part.length;
          if (rest > 0) this.o.observer?.historyStore(upstream, 'error', rest);
          return;
        }
      } catch (err) {
        this.o.outage.failed(err);
        this.o.observer?.historyStore(upstream, 'error', encoded.length - at);
        return;
      }
    }
  }

  /**
   * Forgets what is kept of a sensor's series from `from` on: a write through the gateway changes
   * what its upstream answers for windows that were final (a point written five days back into a
   * BEMServer timeseries would not show in "the last ten days" for a day). Entries whose window
   * ends at or before `from` stay. A read on its way while the write is made may still store what
   * it read before the write; that entry lives until HISTORY_CACHE_TTL_S. Never fails the write:
   * a Redis that fails only counts.
   */
  async forget(upstream: string, sensor: string, from: number): Promise<void> {
    const u = this.o.upstreams.get(upstream);
    if (!this.enabled || !u || !this.o.outage.attempt()) return;
    const redis = this.o.redis!;
    const account = accountDigest(u.baseUrl, u.login);
    const index = this.indexKey(upstream, account, sensor);
    const head = `${sensorHead(this.o.prefix, 'history', upstream, account, sensor)}:`;
    try {
      // The entries stored less than a TTL ago: the others have expired.
      const members = await redis.zrangebyscore(index, this.clock() - this.o.ttlS * 1000, '+inf');
      const stale = members.filter((key) => windowEnd(key, head) > from);
      if (stale.length > 0) {
        for (let at = 0; at < stale.length; at += REDIS_BATCH_KEYS) {
          const part = stale.slice(at, at + REDIS_BATCH_KEYS);
          await redis
            .pipeline()
            .del(...part)
            .zrem(index, ...part)
            .exec();
        }
      }
      this.o.outage.succeeded();
      this.o.observer?.historyStore(upstream, 'forgotten', stale.length);
    } catch (err) {
      this.o.outage.failed(err);
    }
  }

  /** `<prefix>history-index:<upstream>:<account>:<sensor>`: the keys of a sensor's entries (a sorted set, by when stored). */
  private indexKey(upstream: string, account: string, sensor: string): string {
    return sensorHead(this.o.prefix, 'history-index', upstream, account, sensor);
  }
}

/** An entry to store: its key, its series, and the index of its sensor. */
interface Entry {
  key: string;
  series: SeriesResult;
  index: string;
}

/**
 * The end of an entry's window, read off its key after `head` (`<prefix>history:<upstream>:<account>:<sensor>:`,
 * the sensor escaped has no colon): `<from>-<to>…`; +Infinity when it cannot be read, so that such a key is forgotten.
 */
function windowEnd(key: string, head: string): number {
  if (!key.startsWith(head)) return Infinity;
  // Either end may be before 1970, so negative: `-86400000-5097600000`.
  const window = /^(-?\d+)-(-?\d+)(?::|$)/.exec(key.slice(head.length));
  return window ? Number(window[2]) : Infinity;
}

/** How one read is answered: the entries it looks up, the reads that fill what they lack, and what is stored. */
interface Plan {
  entries: string[];
  reads(hits: ReadonlyArray<SeriesResult | null>): SeriesKey[];
  answer(hits: ReadonlyArray<SeriesResult | null>, reads: readonly SeriesKey[], read: readonly SeriesResult[]): SeriesResult;
  store(
    hits: ReadonlyArray<SeriesResult | null>,
    reads: readonly SeriesKey[],
    read: readonly SeriesResult[],
  ): Array<[string, SeriesResult]>;
}

function plan(k: SeriesKey, finalBefore: number, cuttable: boolean, entry: (k: SeriesKey) => string): Plan {
  const cut = cuttable ? cutIntoDays(k, finalBefore) : null;
  if (cut) {
    const entries = cut.days.map((d) => entry({ ...k, from: d, to: d + DAY_MS }));
    const missing = (hits: ReadonlyArray<SeriesResult | null>) => hits.map((h) => h === null);
    return {
      entries,
      reads: (hits) => readsFor(k, cut, missing(hits)),
      // Days found in Redis that a read covers again are taken from the read (each point once).
      answer: (hits, reads, read) =>
        join(k, [
          ...cut.days.flatMap((d, i) =>
            hits[i] && !reads.some((r) => d >= r.from && d < r.to) ? [{ from: d, to: d + DAY_MS, series: hits[i] }] : [],
          ),
          ...reads.map((r, j) => ({ from: r.from, to: r.to, series: read[j]! })),
        ]),
      store: (hits, reads, read) =>
        reads.flatMap((r, j) => {
          const days = cut.days.flatMap((d, i) => (!hits[i] && d >= r.from && d + DAY_MS <= r.to ? [i] : []));
          const series =
            days.length > 0
              ? daysOf(
                  read[j]!,
                  days.map((i) => cut.days[i]!),
                )
              : null;
          return series ? series.map((s, n): [string, SeriesResult] => [entries[days[n]!]!, s]) : [];
        }),
    };
  }
  // A whole window: an entry once final; a recent one passes by.
  const entries = k.to <= finalBefore ? [entry(k)] : [];
  return {
    entries,
    reads: (hits) => (hits[0] ? [] : [k]),
    answer: (hits, _reads, read) => hits[0] ?? read[0]!,
    store: (hits, _reads, read) => (entries.length > 0 && !hits[0] ? [[entries[0]!, read[0]!]] : []),
  };
}

/** Whether a read may be cut; an upstream that cannot tell (its catalogue failing) keeps it whole. */
async function cutsSafely(cuts: (key: SeriesKey) => boolean | Promise<boolean>, k: SeriesKey): Promise<boolean> {
  try {
    return await cuts(k);
  } catch {
    return false;
  }
}
