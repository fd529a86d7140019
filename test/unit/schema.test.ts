// schema.graphql and the typed test documents are generated and committed: fail when stale.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { GraphQLEnumType, GraphQLObjectType } from 'graphql';
import { buildGatewaySchema, printGatewaySchema } from '../../src/schema/build-schema.js';
import { formatDateTime, parseDateTime } from '../../src/schema/scalars.js';
import { upstreamModules } from '../../src/upstreams/modules.js';

const root = new URL('../..', import.meta.url);

describe('generated files', () => {
  it('schema.graphql is what the code prints (run `npm run schema`)', async () => {
    const committed = readFileSync(new URL('schema.graphql', root), 'utf8');
    expect(committed).toBe(printGatewaySchema(upstreamModules));
  });

  it('schema.graphql names what clients rely on', async () => {
    const schema = buildGatewaySchema(upstreamModules);
    const query = schema.getQueryType()!.getFields();
    const signature = (name: string) => {
      const f = query[name]!;
      // Argument order is not part of the contract (GraphQL passes them by name): compare sorted.
      const args = f.args.map((a) => `${a.name}: ${String(a.type)}`).sort();
      return `${args.join(', ')} -> ${String(f.type)}`;
    };
    expect(signature('locations')).toBe(
      'after: String, first: Int, near: NearInput, search: String, upstream: Upstream, withinKm: Float -> LocationPage',
    );
    expect(signature('location')).toBe('id: ID! -> Location');
    expect(signature('parameters')).toBe('upstream: Upstream -> [Parameter!]');
    expect(signature('sensors')).toBe('after: String, first: Int, locationId: ID, parameterId: ID, upstream: Upstream -> SensorPage');
    expect(signature('sensor')).toBe('id: ID! -> Sensor');
    expect(signature('timeSeries')).toBe(
      'bucket: BucketInput, dataState: String, from: DateTime!, maxPoints: Int, sensorIds: [ID!]!, timeZone: String!, to: DateTime!, unit: String -> [TimeSeries]',
    );
    expect(signature('upstreams')).toBe(' -> [UpstreamStatus!]!');
    const fields = (type: string) => Object.keys((schema.getType(type) as GraphQLObjectType).getFields()).sort();
    expect(fields('Sensor')).toEqual(
      expect.arrayContaining(['id', 'upstream', 'name', 'unit', 'location', 'parameter', 'latest', 'series']),
    );
    expect(fields('TimeSeries')).toEqual(
      expect.arrayContaining(['sensor', 'from', 'to', 'unit', 'points', 'timestamps', 'values', 'min', 'max', 'count']),
    );
    // edges carry what depends on the query (distanceKm), which a client cache must not merge into Location.
    expect(fields('LocationPage')).toEqual(['edges', 'nodes', 'pageInfo', 'totalCount']);
    expect(fields('LocationEdge')).toEqual(['distanceKm', 'node']);
    expect(fields('Location')).not.toContain('distanceKm');
    expect(signature('node')).toBe('id: ID! -> Node');
    expect(signature('nodes')).toBe('ids: [ID!]! -> [Node]!');
    expect(fields('PageInfo')).toEqual(['endCursor', 'hasNextPage']);
    expect((schema.getType('Upstream') as GraphQLEnumType).getValues().map((v) => v.name)).toEqual([
      'MEETNET',
      'FLEXMEASURES',
      'BEMSERVER',
    ]);
    expect(schema.getType('DateTime')).toBeDefined();
  });

  it('test/generated is what codegen makes of test/operations (run `npm run codegen`)', async () => {
    const bin = new URL('node_modules/.bin/graphql-codegen', root).pathname;
    const run = promisify(execFile);
    // --check: a dry run that exits 1 when an output would change.
    await expect(run(bin, ['--config', 'codegen.yml', '--check'], { cwd: root.pathname })).resolves.toBeDefined();
    // A process of its own that loads the code generator: 5 s alone on a busy machine.
  }, 30_000);
});

describe('formatDateTime', () => {
  it('writes what toISOString writes, for instants found in its table, colliding in it, or outside its fast range', () => {
    const samples = [
      0,
      1,
      999,
      86_399_999,
      Date.UTC(2026, 10, 20, 12),
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      -1,
      -86_400_001,
      253_402_300_800_000,
      1.5,
    ];
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 600_000 * 7 + 13) samples.push(t);
    for (let round = 0; round < 2; round++) {
      for (const t of samples) expect(formatDateTime(t)).toBe(new Date(t).toISOString());
    }
  });
});

describe('parseDateTime', () => {
  it('reads back every instant DateTime writes, years 0–99 and beyond 9999 included', () => {
    for (const t of [
      Date.UTC(2026, 10, 20, 12),
      -62_135_596_800_000 /* year 1 */,
      Date.parse('0050-06-01T00:00:00Z'),
      Date.parse('0099-12-31T23:00:00Z'),
      253_402_300_740_000 + 50_400_000,
      -62_198_755_200_000 - 86_400_000,
      8.64e15,
      -8.64e15,
    ]) {
      expect(parseDateTime(formatDateTime(t))).toBe(t);
    }
  });

  it('refuses dates that do not exist, in any year', () => {
    for (const s of [
      '2026-02-30T00:00:00Z',
      '0099-02-29T00:00:00Z',
      '+010000-02-30T00:00:00Z',
      '2026-11-20T12:00:00',
      '10000-01-01T00:00:00Z',
    ]) {
      expect(() => parseDateTime(s), s).toThrow(/not a valid DateTime|must be a string/);
    }
    expect(parseDateTime('0096-02-29T00:00:00Z')).toBe(Date.parse('0096-02-29T00:00:00Z'));
  });
});

describe('formatError', () => {
  it('masks and logs an error Apollo coded INTERNAL_SERVER_ERROR (a resolver TypeError), keeps the gateway and request codes', async () => {
    const { GraphQLError } = await import('graphql');
    const { formatError } = await import('../../src/schema/errors.js');
    const { GatewayError, ErrorCode } = await import('../../src/shared/errors.js');
    const logged: unknown[] = [];
    const internal = new GraphQLError('secret internals at /srv/app/x.ts', {
      originalError: new TypeError('secret internals at /srv/app/x.ts'),
      path: ['a'],
    });
    const masked = formatError({ message: internal.message, path: ['a'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, internal, (e) =>
      logged.push(e),
    );
    expect(masked).toEqual({
      message: 'Internal server error',
      path: ['a'],
      locations: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logged).toHaveLength(1);
    const gw = new GatewayError(ErrorCode.FORBIDDEN, 'nope');
    expect(formatError({ message: 'nope', extensions: { code: 'FORBIDDEN' } }, gw, (e) => logged.push(e)).message).toBe('nope');
    expect(
      formatError({ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError('bad'), (e) => logged.push(e)).message,
    ).toBe('bad');
    expect(logged).toHaveLength(1);
  });
});
