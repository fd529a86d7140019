// Frames as downloads: GET (and HEAD) /frame.csv and /frame.json take the frame query's arguments
// as URL parameters, run it as a GraphQL operation (the same access, limits and batching as
// /graphql), and write its answer as a file. Only the translation between the two lives here.
import { stringify } from 'csv-stringify/sync';
import { ErrorCode } from '../shared/errors.js';

export const FRAME_PATHS: Readonly<Record<string, 'csv' | 'json'>> = { '/frame.csv': 'csv', '/frame.json': 'json' };

const FRAME_QUERY = `query Frame($sensorIds: [ID!]!, $from: DateTime!, $to: DateTime!, $bucket: BucketInput, $timeZone: String, $fill: Fill, $unit: String, $dataState: String) {
  frame(sensorIds: $sensorIds, from: $from, to: $to, bucket: $bucket, timeZone: $timeZone, fill: $fill, unit: $unit, dataState: $dataState) {
    from to timestamps columns { sensor { id } unit values }
  }
}`;

const BUCKET_UNITS: Record<string, string> = { s: 'SECOND', min: 'MINUTE', h: 'HOUR', d: 'DAY', w: 'WEEK', mo: 'MONTH', y: 'YEAR' };
const PARAMETERS = ['sensorIds', 'from', 'to', 'bucket', 'aggregation', 'timeZone', 'fill', 'unit', 'dataState'];

/** A parameter the route cannot read: a 400 naming it. */
export class FrameParameterError extends Error {}

/** The GraphQL request of a download's URL parameters. */
export function frameOperation(params: URLSearchParams): { query: string; variables: Record<string, unknown> } {
  const unknown = [...new Set(params.keys())].filter((k) => !PARAMETERS.includes(k));
  if (unknown.length > 0) throw new FrameParameterError(`unknown parameter ${unknown[0]}: the parameters are ${PARAMETERS.join(', ')}`);
  const one = (name: string): string | undefined => {
    const all = params.getAll(name);
    if (all.length > 1) throw new FrameParameterError(`${name} is given ${all.length} times`);
    return all[0]?.trim() || undefined;
  };
  const sensorIds = params
    .getAll('sensorIds')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (sensorIds.length === 0) throw new FrameParameterError('sensorIds is missing: one or more sensor IDs, comma-separated');
  const variables: Record<string, unknown> = { sensorIds, from: one('from'), to: one('to') };
  for (const name of ['from', 'to'])
    if (!variables[name]) throw new FrameParameterError(`${name} is missing (ISO 8601, e.g. 2026-12-01T00:00:00Z)`);
  const bucket = one('bucket');
  const aggregation = one('aggregation');
  if (bucket) {
    const m = /^(\d{1,7})(s|min|h|d|w|mo|y)$/.exec(bucket);
    if (!m) throw new FrameParameterError(`bucket "${bucket.slice(0, 40)}" is not a width like 15min, 1h, 1d, 1w, 1mo or 1y`);
    variables.bucket = {
      width: Number(m[1]),
      unit: BUCKET_UNITS[m[2]!],
      ...(aggregation ? { aggregation: aggregation.toUpperCase() } : {}),
    };
  } else if (aggregation) throw new FrameParameterError('aggregation needs a bucket (e.g. bucket=1h)');
  const fill = one('fill');
  if (fill) variables.fill = fill.toUpperCase();
  for (const name of ['timeZone', 'unit', 'dataState']) {
    const v = one(name);
    if (v) variables[name] = v;
  }
  return { query: FRAME_QUERY, variables };
}

interface FrameError {
  message: string;
  locations?: unknown;
  extensions?: { code?: string };
}
interface FrameAnswer {
  data?: { frame?: Frame | null } | null;
  errors?: FrameError[];
}
interface Frame {
  from: string;
  to: string;
  timestamps: string[];
  columns: Array<{ sensor: { id: string }; unit: string | null; values: (number | null)[] } | null>;
}

/**
 * An error of the internal query as the download's: a variable the schema refused is its URL
 * parameter (`from "2026-11-18": …`, not `Variable "$from" got invalid value …`), and positions in
 * a query the client never wrote are left out.
 */
function asParameterError(e: FrameError): FrameError {
  const { locations: _positions, ...rest } = e;
  const m = /^Variable "\$(\w+)" got invalid value (.*?); ([\s\S]*)$/.exec(e.message);
  return m ? { ...rest, message: `${m[1]} ${m[2]}: ${m[3]}` } : rest;
}

/** The HTTP status of an answer with errors: the caller's mistake, a limit, or an upstream's failure. */
function statusOf(code: string | undefined): number {
  if (code === ErrorCode.BAD_USER_INPUT || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_REQUEST') return 400;
  if (code === ErrorCode.UNAUTHENTICATED) return 401;
  if (code === ErrorCode.FORBIDDEN) return 403;
  if (code === ErrorCode.LIMIT_EXCEEDED) return 422;
  return 502;
}

export interface Download {
  status: number;
  contentType: string;
  body: string;
  /** For content-disposition; null for an error answer. */
  filename: string | null;
}

/**
 * The file of a frame answer. A download is whole or not at all: an answer with any error (a
 * column that could not be read included) is the errors, as JSON, with the status they call for.
 */
export function frameDownload(format: 'csv' | 'json', graphqlStatus: number, answerJson: string): Download {
  const answer = JSON.parse(answerJson) as FrameAnswer;
  const frame = answer.data?.frame;
  if (answer.errors?.length || !frame) {
    const code = answer.errors?.[0]?.extensions?.code;
    return {
      status: graphqlStatus >= 400 ? graphqlStatus : statusOf(code),
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        errors: answer.errors?.map(asParameterError) ?? [{ message: 'no frame', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
      }),
      filename: null,
    };
  }
  // No error means every column is there.
  const columns = frame.columns.filter((c): c is NonNullable<typeof c> => c !== null);
  const filename = `frame-${frame.from.replace(/[:.]/g, '')}-${frame.to.replace(/[:.]/g, '')}.${format}`;
  if (format === 'json') {
    const body = JSON.stringify({
      from: frame.from,
      to: frame.to,
      timestamps: frame.timestamps,
      columns: columns.map((c) => ({ sensorId: c.sensor.id, unit: c.unit, values: c.values })),
    });
    return { status: 200, contentType: 'application/json; charset=utf-8', body, filename };
  }
  const header = ['time', ...columns.map((c) => (c.unit ? `${c.sensor.id} (${c.unit})` : c.sensor.id))];
  const rows = frame.timestamps.map((t, i) => [t, ...columns.map((c) => c.values[i] ?? '')]);
  return { status: 200, contentType: 'text/csv; charset=utf-8', body: stringify([header, ...rows]), filename };
}
