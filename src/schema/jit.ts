// Precompiled execution: each operation is compiled once by graphql-jit into plain JavaScript and
// then run for every request that sends it. graphql-js interprets the query tree for each value;
// on a year of points (52,560 objects) or a dashboard of 50 series that walk is most of the CPU.
// Apollo Server keeps parsing, validation, plugins, error formatting and HTTP; only the executor is
// swapped, through its gateway interface (the one hook it has for a custom executor).
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  printSchema,
  typeFromAST,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/** Compiled operations of one document, by operation name ('' for the only one), and their fields. */
interface Compiled {
  byName: Map<string, CompiledQuery | ExecutionResult>;
  fields: number;
}

/**
 * Operations whose selections, fragments expanded, hold more fields than this run on graphql-js.
 * graphql-jit writes code for the whole tree before it runs, so a kilobyte of nested fragment
 * spreads (each level doubling) took seconds and gigabytes to compile; graphql-js only walks as
 * far as there is data. Real dashboards and explorations hold a few dozen fields.
 */
export const JIT_MAX_FIELDS = 500;
/** Deeper operations run on graphql-js too: compile time grows faster than depth (1000 levels took 2.3 s). */
export const JIT_MAX_DEPTH = 24;
/**
 * Compiled code kept, counted in fields (a compiled field holds about 5 KB of generated code):
 * about 100 MB at most, whatever the number of distinct operations clients send.
 */
const MAX_COMPILED_FIELDS = 20_000;

/**
 * The executor. Apollo's document store hands out the same DocumentNode for the same query text,
 * so compilations are cached by document, in an LRU of their own: the store bounds its documents
 * by their size, not by the code compiled for them.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayExecutor {
  const compiled = new LRUCache<DocumentNode, Compiled>({ maxSize: MAX_COMPILED_FIELDS, sizeCalculation: (c) => Math.max(1, c.fields) });
  const tooLarge = new WeakSet<OperationDefinitionNode>();
  return async (rc) => {
    const { document } = rc;
    const name = rc.request.operationName ?? '';
    const interpret = () =>
      execute({
        schema,
        document,
        contextValue: rc.context,
        variableValues: rc.request.variables,
        operationName: rc.request.operationName,
      });
    // Introspection is rare and graphql-js is its reference: GraphiQL and codegen get exactly it.
    // So does an operation name that matches nothing: graphql-js's error is the one Apollo turns
    // into its 400 OPERATION_RESOLUTION_FAILURE. And so does an operation too large to compile.
    if (!rc.operation || isIntrospection(rc.operation.selectionSet.selections) || tooLarge.has(rc.operation)) return interpret();
    const entry = compiled.get(document);
    let query = entry?.byName.get(name);
    if (!query) {
      const fields = countFields(document, rc.operation);
      if (fields > JIT_MAX_FIELDS) {
        tooLarge.add(rc.operation);
        return interpret();
      }
      query = compileQuery(schema, document, rc.request.operationName, {
        // Errors carry messages, not the compiler's stack captures: cheaper, and nothing to leak.
        disablingCapturingStackErrors: true,
      });
      const byName = entry?.byName ?? new Map<string, CompiledQuery | ExecutionResult>();
      byName.set(name, query);
      // Set again (not mutated in place) so that the LRU weighs the document's operations together.
      compiled.set(document, { byName, fields: (entry?.fields ?? 0) + fields });
    }
    if (!isCompiledQuery(query)) return query; // the compile-time error, e.g. an unknown operation
    const definitions = rc.operation.variableDefinitions ?? [];
    if (definitions.length === 0) return withExtensions(await query.query(undefined, rc.context, {}));
    // graphql-jit's own variable coercion drops the scalar's message and the error's node (Apollo
    // then cannot tell a bad variable, BAD_USER_INPUT, from a fault), and it refuses an omitted
    // non-null input field that has a default (MeterDataInput.unit). graphql-js coerces; graphql-jit
    // gets the coerced values written back in input form, which its own pass then accepts as is.
    const coerced = getVariableValues(schema, definitions, rc.request.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    const input: Record<string, unknown> = {};
    for (const def of definitions) {
      const name = def.variable.name.value;
      if (name in coerced.coerced) input[name] = toInput(coerced.coerced[name], typeFromAST(schema, def.type) as GraphQLInputType);
    }
    return withExtensions(await query.query(undefined, rc.context, input));
  };
}

/**
 * graphql-jit's own errors (a non-null field that came back null, a value its type cannot
 * serialise, a resolver's plain Error) are not graphql-js errors: their `extensions` is undefined
 * and cannot be set. Apollo reads `extensions.code` and would answer one bare "Internal server
 * error", without path and without reaching formatError and the log. They are rebuilt as
 * graphql-js errors with the same message, locations, path and original error.
 */
function withExtensions(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((e) => {
    if (e.extensions) return e;
    const rebuilt = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined });
    if (e.locations)
      Object.defineProperty(rebuilt, 'locations', { value: e.locations, enumerable: true, writable: true, configurable: true });
    return rebuilt;
  });
  // `errors` before `data`, as graphql-js writes them (and as the GraphQL spec advises).
  return { errors, data: result.data, ...(result.extensions ? { extensions: result.extensions } : {}) };
}

/** A coerced value written back as a client would send it (the inverse of coercion). */
function toInput(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return toInput(value, type.ofType);
  if (isListType(type)) return Array.isArray(value) ? value.map((v) => toInput(v, type.ofType)) : toInput(value, type.ofType);
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toInput(v, fields[k]!.type);
    return out;
  }
  if (isScalarType(type) || isEnumType(type)) return type.serialize(value);
  return value;
}

/**
 * Fields of an operation with its fragments expanded, counted until the count passes
 * JIT_MAX_FIELDS or the depth JIT_MAX_DEPTH (then a number above JIT_MAX_FIELDS): the walk itself
 * stays short however a query multiplies its fragments.
 */
function countFields(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let count = 0;
  const walk = (set: SelectionSetNode, depth: number): void => {
    if (depth > JIT_MAX_DEPTH) count = JIT_MAX_FIELDS + 1;
    for (const sel of set.selections) {
      if (count > JIT_MAX_FIELDS) return;
      if (sel.kind === Kind.FIELD) {
        count++;
        if (sel.selectionSet) walk(sel.selectionSet, depth + 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth);
      } else {
        // Validation (NoFragmentCycles, KnownFragmentNames) ran before: every spread ends.
        const f = fragments.get(sel.name.value);
        if (f) walk(f.selectionSet, depth);
      }
    }
  };
  walk(operation.selectionSet, 1);
  return count;
}

function isIntrospection(selections: readonly { kind: string; name?: { value: string } }[]): boolean {
  return selections.some((s) => s.kind !== 'Field' || s.name?.value.startsWith('__'));
}

/** The gateway-interface wrapper Apollo Server expects around an executor, for a fixed schema. */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  return {
    async load() {
      return { executor: jitExecutor(schema) };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}
