// Precompiled execution: each operation is compiled once by graphql-jit into plain JavaScript and
// then run for every request that sends it. graphql-js interprets the query tree for each value;
// on a year of points (52,560 objects) or a dashboard of 50 series that walk is most of the CPU.
// Apollo Server keeps parsing, validation, plugins, error formatting and HTTP; only the executor is
// swapped, through its gateway interface (the one hook it has for a custom executor).
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  printSchema,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled operations of one document, by operation name ('' for the only one). */
type Compiled = Map<string, CompiledQuery | ExecutionResult>;

/**
 * The executor. Apollo's document store hands out the same DocumentNode for the same query text,
 * so a WeakMap on it caches each compilation for as long as Apollo keeps the document, with no
 * cache of our own to bound.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayExecutor {
  const compiled = new WeakMap<DocumentNode, Compiled>();
  return async (rc) => {
    const { document } = rc;
    const name = rc.request.operationName ?? '';
    // Introspection is rare and graphql-js is its reference: GraphiQL and codegen get exactly it.
    // So does an operation name that matches nothing: graphql-js's error is the one Apollo turns
    // into its 400 OPERATION_RESOLUTION_FAILURE.
    if (!rc.operation || isIntrospection(rc.operation.selectionSet.selections)) {
      return execute({ schema, document, contextValue: rc.context, variableValues: rc.request.variables, operationName: rc.request.operationName });
    }
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    let query = byName.get(name);
    if (!query) {
      query = compileQuery(schema, document, rc.request.operationName, {
        // Errors carry messages, not the compiler's stack captures: cheaper, and nothing to leak.
        disablingCapturingStackErrors: true,
      });
      byName.set(name, query);
    }
    if (!isCompiledQuery(query)) return query; // the compile-time error, e.g. an unknown operation
    const definitions = rc.operation.variableDefinitions ?? [];
    if (definitions.length === 0) return query.query(undefined, rc.context, {});
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
    return query.query(undefined, rc.context, input);
  };
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
