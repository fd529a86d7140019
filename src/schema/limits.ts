// What one request may ask, checked before anything runs: its depth, its aliases, its top-level
// fields, and its cost. The cost is one per field, times the size of the lists around it, plus,
// for each series, the points it asks for (its window divided by its sensor's interval, or its
// bucket) times the lists of points it selects. Intervals and list sizes come from the upstreams'
// catalogues, read only for the upstreams the operation reaches. A refusal is LIMIT_EXCEEDED
// naming the limit, the value asked and the value allowed. The points an answer really carries are
// counted again as they are written (ResponseBudget), whatever the estimate said.
//
// Fields are collected the way execution collects them (by response key, each fragment once per
// selection set), so a document of fragments spread twice at every level is walked once, not
// 2^levels times; and the walk stops as soon as a limit is passed.
import {
  getNamedType,
  getVariableValues,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { UpstreamName } from '../shared/domain.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import type { IdKind } from '../shared/ids.js';
import { bucketSpan } from '../series/buckets.js';
import { Buckets } from '../upstreams/capabilities.js';
import type { Upstreams } from '../upstreams/registry.js';
import type { SeriesBucket } from '../upstreams/series.js';
import { toSeriesBucket, type BucketInput } from './bucket.types.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './paginate.js';
import { parseDateTime } from './scalars.js';

export interface QueryLimits {
  maxQueryDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxQueryCost: number;
  /** Off: the gateway makes every bucket from the raw series (UPSTREAM_AGGREGATION). */
  upstreamAggregation?: boolean;
}

/** A limit a request went over: the code, and what it asked against what it may. */
export function limitExceeded(
  limit: string,
  asked: number,
  allowed: number,
  what: string,
  o: { atLeast?: boolean; advice?: string } = {},
): GatewayError {
  const figures = `${o.atLeast ? 'at least ' : ''}${asked} asked, ${allowed} allowed (${limit})`;
  return new GatewayError(ErrorCode.LIMIT_EXCEEDED, `${what}: ${figures}${o.advice ? `; ${o.advice}` : ''}`, {
    limit,
    asked,
    allowed,
  });
}

/** The points an answer may still carry, counted as its series are written. */
export class ResponseBudget {
  private spent = 0;

  constructor(private readonly max: number) {}

  /** Counts the points of one list of one series; LIMIT_EXCEEDED (and the list is not written, nor counted) past the maximum. */
  spend(points: number): void {
    if (this.spent + points > this.max) {
      throw limitExceeded('MAX_RESPONSE_POINTS', Math.ceil(this.spent + points), this.max, 'the answer would carry too many points', {
        advice: 'ask for fewer sensors, a shorter window, or buckets',
      });
    }
    this.spent += points;
  }
}

const MINUTE = 60_000;
const UNIT_MS: Record<string, number> = {
  second: 1000,
  minute: MINUTE,
  hour: 60 * MINUTE,
  day: 1440 * MINUTE,
  week: 7 * 1440 * MINUTE,
  month: 28 * 1440 * MINUTE,
  year: 365 * 1440 * MINUTE,
};

/** What the estimate knows of one upstream's catalogue. */
interface Facts {
  intervalMs: Map<string, number>;
  /** The smallest interval of any of its sensors: assumed for a sensor the query does not name. */
  minIntervalMs: number;
  maxSensorsPerLocation: number;
  maxChildrenPerLocation: number;
  parameterCount: number;
}

async function factsOf(registry: Upstreams, name: UpstreamName): Promise<Facts> {
  const facts: Facts = {
    intervalMs: new Map(),
    minIntervalMs: MINUTE,
    maxSensorsPerLocation: 1,
    maxChildrenPerLocation: 1,
    parameterCount: 1,
  };
  // Catalogues are cached; one that cannot be read adds nothing (the fields that need it fail anyway).
  const read = await Promise.all([registry.get(name).sensors(), registry.get(name).locations(), registry.get(name).parameters()]).catch(
    () => null,
  );
  if (!read) return facts;
  const [sensors, locations, parameters] = read;
  const perLocation = new Map<string, number>();
  let min = Number.POSITIVE_INFINITY;
  for (const s of sensors) {
    if (s.intervalMinutes) {
      facts.intervalMs.set(s.id, s.intervalMinutes * MINUTE);
      min = Math.min(min, s.intervalMinutes * MINUTE);
    }
    if (s.locationId) perLocation.set(s.locationId, (perLocation.get(s.locationId) ?? 0) + 1);
  }
  const children = new Map<string, number>();
  for (const l of locations) if (l.parentId) children.set(l.parentId, (children.get(l.parentId) ?? 0) + 1);
  if (Number.isFinite(min)) facts.minIntervalMs = min;
  facts.maxSensorsPerLocation = Math.max(1, ...perLocation.values());
  facts.maxChildrenPerLocation = Math.max(1, ...children.values());
  facts.parameterCount = Math.max(1, parameters.length);
  return facts;
}

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  registry: Upstreams;
  facts: Map<UpstreamName, Promise<Facts>>;
  limits: QueryLimits;
  cost: number;
  /** The points of its series, as they weigh in `cost`. */
  points: number;
  /** Whether the estimate read a catalogue: then it holds for this request only. */
  readFacts: boolean;
}

/** What an operation that passed the limits is expected to cost, and the points of its series. */
export interface Estimate {
  cost: number;
  points: number;
}

/** Where a selection is: which upstreams its items come from (null: any the client reaches), and which sensor. */
interface Scope {
  upstreams: UpstreamName[] | null;
  sensorId: string | null;
}

function facts(w: Walk, scope: Scope): Promise<Facts[]> {
  w.readFacts = true;
  const names = scope.upstreams ?? w.registry.names;
  return Promise.all(
    names.map((n) => {
      let f = w.facts.get(n);
      if (!f) w.facts.set(n, (f = factsOf(w.registry, n)));
      return f;
    }),
  );
}

/** The upstream a global ID names, if it is one the client may reach; null otherwise (its resolver will say why). */
function upstreamOfId(w: Walk, id: unknown, kind: IdKind): UpstreamName | null {
  if (typeof id !== 'string') return null;
  try {
    const { upstream } = w.registry.parse(id, kind, 'id');
    return w.registry.names.includes(upstream) ? upstream : null;
  } catch {
    return null;
  }
}

/** The fields of these selection sets by response key, as execution merges them; introspection fields left out (their switch governs them). */
function collectFields(sets: readonly SelectionSetNode[], w: Walk): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        const key = sel.alias?.value ?? sel.name.value;
        const list = out.get(key);
        if (list) list.push(sel);
        else out.set(key, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else if (!visited.has(sel.name.value)) {
        visited.add(sel.name.value);
        const f = w.fragments.get(sel.name.value);
        if (f) visit(f.selectionSet);
      }
    }
  };
  for (const set of sets) visit(set);
  return out;
}

const subSets = (nodes: readonly FieldNode[]): SelectionSetNode[] => nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));

function argValue(node: FieldNode, def: GraphQLField<unknown, unknown>, name: string, w: Walk): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  const type = def.args.find((a) => a.name === name)?.type;
  if (!arg || !type) return undefined;
  try {
    return valueFromAST(arg.value, type, w.variables);
  } catch {
    return undefined;
  }
}

function instant(v: unknown): number | null {
  if (typeof v === 'number') return v;
  try {
    return typeof v === 'string' ? parseDateTime(v) : null;
  } catch {
    return null;
  }
}

/**
 * Points a series field reads and writes: its window divided by its step. Buckets the upstream makes
 * whatever the sensor and window are read as buckets; those the gateway makes are computed from
 * the whole raw series (read and held), and write a point per bucket: the larger of the two counts.
 * maxPoints caps what is written, not what is read: it does not lower the estimate.
 */
async function seriesPoints(node: FieldNode, def: GraphQLField<unknown, unknown>, w: Walk, scope: Scope): Promise<number> {
  const from = instant(argValue(node, def, 'from', w));
  const to = instant(argValue(node, def, 'to', w));
  // A window that does not parse is refused by the resolver before anything is read.
  if (from === null || to === null || to < from) return 1;
  const bucket = askedBucket(argValue(node, def, 'bucket', w));
  // Buckets are read whole: over their span, from the first one's start to the last one's end.
  const zone = argValue(node, def, 'timeZone', w);
  const timeZone = typeof zone === 'string' ? zone : 'UTC';
  const span = bucket ? spanOf(from, to, bucket, timeZone) : { from, to };
  const over = (step: number) => Math.floor((span.to - span.from) / step) + 1;
  const buckets = bucket ? over(Math.max(1000, bucket.widthValue * UNIT_MS[bucket.widthUnit]!)) : null;
  // A sum in another unit is the gateway's to make, from converted values (series-read.ts).
  const converted = Boolean(argValue(node, def, 'unit', w)) && bucket?.aggregation === 'sum';
  if (bucket && !converted && upstreamMakes(w, scope, bucket, timeZone)) return buckets!;
  const known = await facts(w, scope);
  const own = scope.sensorId ? known.find((f) => f.intervalMs.has(scope.sensorId!))?.intervalMs.get(scope.sensorId) : undefined;
  let step = own ?? Math.min(...known.map((f) => f.minIntervalMs), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(step)) step = MINUTE;
  // A coarser resolution (FlexMeasures) is checked and applied by the resolver; the estimate keeps the sensor's step.
  return Math.max(over(step), buckets ?? 0);
}

/** A bucket argument as reads take it; null when there is none, or none the estimate can weigh (the resolver refuses those). */
function askedBucket(arg: unknown): SeriesBucket | null {
  const b = arg as { width?: number; unit?: string; aggregation?: string } | undefined;
  if (!b?.unit || !UNIT_MS[b.unit]) return null;
  return toSeriesBucket({ width: b.width ?? 1, unit: b.unit, aggregation: b.aggregation ?? 'mean' } as BucketInput);
}

/** The span the buckets cover (the window itself when they cannot be made: the resolver refuses those). */
function spanOf(from: number, to: number, bucket: SeriesBucket, timeZone: string) {
  try {
    const span = bucketSpan(from, to, bucket, timeZone);
    return Number.isFinite(span.from) && Number.isFinite(span.to) ? span : { from, to };
  } catch {
    return { from, to };
  }
}

/** Whether every upstream the series may be on computes these buckets in this zone itself, for any sensor. */
function upstreamMakes(w: Walk, scope: Scope, bucket: SeriesBucket, timeZone: string): boolean {
  if (w.limits.upstreamAggregation === false) return false;
  const names = scope.upstreams ?? w.registry.names;
  return names.length > 0 && names.every((n) => w.registry.get(n).capabilities.get(Buckets)?.alwaysComputes(bucket, timeZone) ?? false);
}

/** What writing a series' list costs, in points: a point is a time and a value, each column half of it. */
const POINT_LISTS = new Map([
  ['points', 1],
  ['timestamps', 0.5],
  ['values', 0.5],
]);

/**
 * How often a series' points are written out: once per `points`, half for each of `timestamps`
 * and `values` (aliases counted), and at least once (it is read whatever is selected).
 */
function listsAsked(nodes: readonly FieldNode[], w: Walk): number {
  let lists = 0;
  for (const fields of collectFields(subSets(nodes), w).values()) lists += POINT_LISTS.get(fields[0]!.name.value) ?? 0;
  return Math.max(1, lists);
}

/** How many items a list field holds at most. */
async function listSize(
  parent: GraphQLObjectType,
  node: FieldNode,
  def: GraphQLField<unknown, unknown>,
  w: Walk,
  scope: Scope,
): Promise<number> {
  const first = argValue(node, def, 'first', w);
  if (typeof first === 'number') return Math.min(Math.max(0, first), MAX_PAGE_SIZE);
  const max = async (pick: (f: Facts) => number, sum = false) => {
    const values = (await facts(w, scope)).map(pick);
    return sum ? values.reduce((a, b) => a + b, 0) : Math.max(1, ...values);
  };
  switch (`${parent.name}.${def.name}`) {
    case 'Location.sensors':
      return max((f) => f.maxSensorsPerLocation);
    case 'Location.children':
      return max((f) => f.maxChildrenPerLocation);
    case 'Query.parameters':
      return max((f) => f.parameterCount, true);
    case 'Query.timeSeries': {
      const ids = argValue(node, def, 'sensorIds', w);
      return Array.isArray(ids) ? ids.length : 1;
    }
    default:
      return unwrapList(def) ? DEFAULT_PAGE_SIZE : 1;
  }
}

const unwrapList = (def: GraphQLField<unknown, unknown>): boolean => isListType(isNonNullType(def.type) ? def.type.ofType : def.type);

function add(w: Walk, cost: number): void {
  w.cost += Math.ceil(cost);
  // Stop walking as soon as the operation is known to be too costly: `asked` is then what the
  // walk had counted so far, a lower bound.
  if (w.cost > w.limits.maxQueryCost) {
    throw limitExceeded('MAX_QUERY_COST', w.cost, w.limits.maxQueryCost, 'the operation would cost too much', {
      atLeast: true,
      advice:
        'its cost is one per field, times the size of the lists around it, plus the points of its series: ask for fewer sensors, a shorter window, buckets, or smaller pages',
    });
  }
}

/** The scope of the items a field returns, from its arguments and the scope it is in. */
function innerScope(key: string, node: FieldNode, def: GraphQLField<unknown, unknown>, w: Walk, scope: Scope): Scope {
  const id = argValue(node, def, 'id', w);
  const named = (kind: IdKind): Scope => {
    const u = upstreamOfId(w, id, kind);
    return { upstreams: u ? [u] : [], sensorId: kind === 'sensor' && u ? (id as string) : null };
  };
  switch (key) {
    case 'Query.sensor':
      return named('sensor');
    case 'Query.location':
      return named('location');
    case 'Query.connection':
      return named('connection');
    case 'Query.parameter':
      return named('parameter');
  }
  const upstream = argValue(node, def, 'upstream', w);
  if (key.startsWith('Query.'))
    return { upstreams: typeof upstream === 'string' && w.registry.names.includes(upstream) ? [upstream] : null, sensorId: null };
  // Nested items are of their parent's upstream; a list of sensors names none of them.
  return { upstreams: scope.upstreams, sensorId: key === 'Sensor.series' || key === 'TimeSeries.sensor' ? scope.sensorId : null };
}

/** Adds the cost of these (merged) selection sets, under `multiplier` items. */
async function walk(sets: readonly SelectionSetNode[], type: GraphQLObjectType, multiplier: number, w: Walk, scope: Scope): Promise<void> {
  for (const nodes of collectFields(sets, w).values()) {
    const node = nodes[0]!;
    const def = type.getFields()[node.name.value];
    if (!def) continue;
    // A field under an empty list still costs its walk: no position of the document is free.
    add(w, Math.max(1, multiplier));
    const key = `${type.name}.${def.name}`;
    const inner = innerScope(key, node, def, w, scope);
    if (key === 'Sensor.series' || key === 'Connection.meterData' || key === 'Connection.prognosis') {
      addPoints(w, multiplier * (await seriesPoints(node, def, w, inner)) * listsAsked(nodes, w));
    }
    if (key === 'Query.timeSeries' || key === 'Query.frame') {
      // Each distinct sensor is read once (the loaders share it); each item of the answer (a frame's column) holds its points.
      const ids = argValue(node, def, 'sensorIds', w);
      for (const id of Array.isArray(ids) ? ids : []) {
        const u = upstreamOfId(w, id, 'sensor');
        const points = await seriesPoints(node, def, w, { upstreams: u ? [u] : [], sensorId: u ? (id as string) : null });
        addPoints(w, multiplier * points * listsAsked(nodes, w));
      }
    }
    const named = getNamedType(def.type);
    if (!isObjectType(named)) continue;
    const sets = subSets(nodes);
    if (sets.length === 0) continue;
    const items = multiplier * (await listSize(type, node, def, w, inner));
    if (named.name.endsWith('Page')) {
      // A page holds its items in `nodes`; its other fields (totalCount, pageInfo) cost one each.
      const pageFields = collectFields(sets, w);
      add(w, multiplier * pageFields.size);
      const itemNodes = pageFields.get('nodes');
      const itemType = getNamedType(named.getFields().nodes!.type) as GraphQLObjectType;
      if (itemNodes) await walk(subSets(itemNodes), itemType, items, w, inner);
      continue;
    }
    // The items of a timeSeries answer are series of several sensors: none is the scope's.
    await walk(sets, named, items, w, key === 'Query.timeSeries' ? { upstreams: inner.upstreams, sensorId: null } : inner);
  }
}

/** Adds the points of a series (and their weight in the cost). */
function addPoints(w: Walk, points: number): void {
  w.points += Math.ceil(points);
  add(w, points);
}

interface Shape {
  depth: number;
  aliases: number;
}

/**
 * The deepest nesting of fields and the number of aliases in the operation, fragments counted
 * where they are spread (each fragment's figures worked out once). Introspection (`__schema`,
 * `__type`) has its own switch, and graphql-js's own bound on its nested lists (validation's
 * MaxIntrospectionDepthRule: `fields { type { fields …` at most three deep): its depth does not
 * count here (getIntrospectionQuery(), GraphiQL's, nests 15 levels in its chains of `ofType`).
 */
function shape(operation: OperationDefinitionNode, w: Walk): Shape {
  const memo = new Map<string, Shape>();
  const ofSet = (set: SelectionSetNode, path: ReadonlySet<string>, inIntrospection: boolean): Shape => {
    let depth = 0;
    let aliases = 0;
    for (const sel of set.selections) {
      let inner: Shape = { depth: 0, aliases: 0 };
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const introspection = inIntrospection || name === '__schema' || name === '__type';
        if (sel.selectionSet) inner = ofSet(sel.selectionSet, path, introspection);
        const alias = inner.aliases + (sel.alias ? 1 : 0);
        inner = { depth: introspection ? 0 : inner.depth + 1, aliases: alias };
      } else if (sel.kind === Kind.INLINE_FRAGMENT) inner = ofSet(sel.selectionSet, path, inIntrospection);
      else {
        const name = sel.name.value;
        const f = w.fragments.get(name);
        // Validation refused cycles already; `path` keeps a malformed document from looping anyway.
        if (f && !path.has(name)) {
          const key = `${inIntrospection ? '?' : ''}${name}`;
          let known = memo.get(key);
          if (!known) memo.set(key, (known = ofSet(f.selectionSet, new Set([...path, name]), inIntrospection)));
          inner = known;
        }
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
    return { depth, aliases };
  };
  return ofSet(operation.selectionSet, new Set(), false);
}

/**
 * Refuses (LIMIT_EXCEEDED) an operation over any limit, before anything of it runs; resolves what
 * it is expected to cost.
 */
export type LimitsCheck = (
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  registry: Upstreams,
) => Promise<Estimate>;

/**
 * The check for one schema and its limits. Apollo keeps each parsed document (the same objects for
 * every request with the same text), so an operation's shape is checked once, and the estimate of
 * an operation that uses no variable and reads no catalogue (a small query by IDs) is kept with
 * it: repeated small queries cost a lookup, not a walk.
 */
export function limitsCheck(schema: GraphQLSchema, limits: QueryLimits): LimitsCheck {
  const known = new WeakMap<OperationDefinitionNode, { estimate?: Estimate }>();
  return async (document, operation, variables, registry) => {
    const memo = known.get(operation);
    if (memo?.estimate) return memo.estimate;
    const root =
      operation.operation === 'mutation'
        ? schema.getMutationType()
        : operation.operation === 'subscription'
          ? schema.getSubscriptionType() // each event's cost: one sensor's fields
          : schema.getQueryType();
    if (!root) return { cost: 0, points: 0 };
    // The values the operation will run with, as execution coerces them: defaults of variables
    // the request left out, enums as their internal values. The raw ones let a window given by a
    // default, or a bucket unit by a variable, through uncounted.
    const definitions = operation.variableDefinitions ?? [];
    const values = definitions.length > 0 ? getVariableValues(schema, definitions, variables) : { coerced: {} };
    // Variables that do not coerce are refused by execution before anything runs.
    if (!values.coerced) return { cost: 0, points: 0 };
    const w: Walk = {
      fragments: new Map(
        document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
      ),
      variables: values.coerced,
      registry,
      facts: new Map(),
      limits,
      cost: 0,
      points: 0,
      readFacts: false,
    };
    if (!memo) {
      const { depth, aliases } = shape(operation, w);
      if (depth > limits.maxQueryDepth) throw limitExceeded('MAX_QUERY_DEPTH', depth, limits.maxQueryDepth, 'the operation nests too deep');
      if (aliases > limits.maxAliases) throw limitExceeded('MAX_ALIASES', aliases, limits.maxAliases, 'too many aliased fields');
      const roots = collectFields([operation.selectionSet], w).size;
      if (roots > limits.maxRootFields) throw limitExceeded('MAX_ROOT_FIELDS', roots, limits.maxRootFields, 'too many top-level fields');
    }
    const passed = memo ?? {};
    known.set(operation, passed);
    await walk([operation.selectionSet], root, 1, w, { upstreams: null, sensorId: null });
    const estimate = { cost: w.cost, points: w.points };
    // Without variables or catalogue facts, the walk reads the document alone: the same every time.
    if (!w.readFacts && !operation.variableDefinitions?.length) passed.estimate = estimate;
    return estimate;
  };
}
