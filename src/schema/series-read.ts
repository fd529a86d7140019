// One series read, whatever the field that asks (Sensor.series, timeSeries, frame): the arguments
// checked before any upstream call, buckets asked of the upstream where its answer is the gateway's
// own, then the shaping the upstream did not do (src/series/shape.ts).
import type { GatewayContext } from '../context.js';
import type { Sensor } from '../shared/domain.js';
import { badInput } from '../shared/errors.js';
import { bucketSpan, canonicalTimeZone, refuseBucket } from '../series/buckets.js';
import { refuseMaxPoints } from '../series/reduce.js';
import { shapeSeries } from '../series/shape.js';
import { Buckets, DataStates } from '../upstreams/capabilities.js';
import type { SeriesBucket, SeriesKey, SeriesResult } from '../upstreams/series.js';
import { toSeriesBucket } from './bucket.types.js';
import type { SeriesArgs, WindowArgs } from './series-args.js';
import { checkWindow } from './window.js';

/**
 * Unit conversion, loaded when a client first asks for a unit: mathjs's unit parser adds about
 * 20 MB to the process (measured at start), which a gateway whose clients never convert need not carry.
 */
const units = () => import('../series/units.js');

/** The most points maxPoints may ask for (more is not a drawing). */
export const MAX_DRAWING_POINTS = 100_000;

/** A read's arguments, checked: what does not depend on the sensor. */
export interface SeriesRequest {
  from: number;
  to: number;
  bucket: SeriesBucket | null;
  /** What the read covers: the window, or with buckets their whole span (first start to last end). */
  span: { from: number; to: number };
  timeZone: string;
  maxPoints: number | null;
  unit: string | null;
  dataState: string | null;
}

/** Checks the arguments every sensor of the read shares; BAD_USER_INPUT names the one to change. */
export function seriesRequest(args: WindowArgs & Partial<Pick<SeriesArgs, 'maxPoints'>>, maxWindowDays: number): SeriesRequest {
  checkWindow(args.from, args.to, maxWindowDays);
  const bucket = toSeriesBucket(args.bucket);
  if (bucket) {
    const refused = refuseBucket(bucket, { from: args.from, to: args.to });
    if (refused) throw badInput(`bucket: ${refused}`, { argument: 'bucket' });
  }
  // The zone's own spelling (europe/brussels → Europe/Brussels). ICU answers some zones by an old
  // name (Asia/Kolkata → Asia/Calcutta): a name that is not merely another case is kept as the
  // client wrote it. Upstreams map it to a name they take (BEMServer: bemserver/timezones.ts).
  const asked = args.timeZone ?? 'UTC';
  const canonical = canonicalTimeZone(asked);
  const timeZone = canonical !== null && canonical.toLowerCase() !== asked.toLowerCase() ? asked : canonical;
  if (timeZone === null) {
    throw badInput(`timeZone: "${args.timeZone.slice(0, 60)}" is not an IANA time zone (e.g. UTC, Europe/Brussels)`, {
      argument: 'timeZone',
    });
  }
  // Buckets read whole: their span (the first bucket's start to the last one's end) is the window read.
  const span = bucket ? bucketSpan(args.from, args.to, bucket, timeZone) : { from: args.from, to: args.to };
  if (bucket) {
    if (!Number.isFinite(span.from) || !Number.isFinite(span.to))
      throw badInput('bucket: its buckets do not fit in the calendar', { argument: 'bucket' });
    checkWindow(span.from, span.to, maxWindowDays);
  }
  const maxPoints = args.maxPoints ?? null;
  if (maxPoints !== null) {
    const refused =
      maxPoints > MAX_DRAWING_POINTS ? `maxPoints must be at most ${MAX_DRAWING_POINTS}, got ${maxPoints}` : refuseMaxPoints(maxPoints);
    if (refused) throw badInput(refused, { argument: 'maxPoints' });
  }
  const unit = args.unit?.trim() || null;
  return { from: args.from, to: args.to, bucket, span, timeZone, maxPoints, unit, dataState: args.dataState ?? null };
}

/** A series as read: its values, and the unit they are in (none for counts). */
export interface ReadSeries {
  data: SeriesResult;
  unit: string | null;
}

/** One sensor's series as asked: the upstream's answer, shaped. */
export async function readSeries(ctx: GatewayContext, sensor: Sensor, r: SeriesRequest): Promise<ReadSeries> {
  const upstream = ctx.registry.get(sensor.upstream);
  // Data states only where the upstream has them; elsewhere the argument would be silently ignored.
  if (r.dataState && !upstream.capabilities.get(DataStates)) {
    throw badInput(`dataState is available for sensors whose upstream keeps data states (${sensor.id} is not one)`, {
      argument: 'dataState',
    });
  }
  const counts = r.bucket?.aggregation === 'count';
  let convert: ((v: number) => number) | null = null;
  let unit = counts ? null : sensor.unit;
  if (r.unit !== null) {
    if (counts) throw badInput('unit: COUNT buckets count values, they have no unit', { argument: 'unit' });
    const converter = (await units()).unitConverter(sensor.unit, r.unit);
    if ('refused' in converter) throw badInput(`unit: ${converter.refused} (${sensor.id})`, { argument: 'unit' });
    convert = converter.convert;
    unit = converter.unit;
  }
  // Buckets the gateway makes take every point of their first and last bucket, as the upstreams'
  // own do: the raw read covers whole buckets.
  const key: SeriesKey = { sensor: sensor.nativeId, from: r.span.from, to: r.span.to, dataState: r.dataState };
  let gatewayBucket = r.bucket;
  // An upstream's sums are in the sensor's unit, and a sum does not convert as its terms do (°C to
  // °F): those the gateway makes, from converted values.
  if (r.bucket && ctx.config.upstreamAggregation && !(convert && r.bucket.aggregation === 'sum')) {
    const asked = await upstream.capabilities
      .get(Buckets)
      ?.upstreamBuckets({ sensor, from: r.from, to: r.to, bucket: r.bucket, timeZone: r.timeZone });
    if (asked) {
      Object.assign(key, { from: r.from, to: r.to }, asked);
      gatewayBucket = null;
    }
  }
  const data = await ctx.loaders(sensor.upstream).series.load(key);
  const shaped = shapeSeries(data, {
    from: r.from,
    to: r.to,
    bucket: gatewayBucket,
    timeZone: r.timeZone,
    convert,
    maxPoints: r.maxPoints,
  });
  return { data: shaped, unit };
}
