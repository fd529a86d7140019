// What both subscription transports do with an operation before it runs, as Apollo does for POST
// /graphql: parse, validate, pick the operation, then the client's scope and the limits (depth,
// aliases, cost) — here only subscriptions are taken: queries and mutations go to POST /graphql,
// where admission, operation sharing and metrics are. A refusal is a list of GraphQL errors with
// the HTTP status the SSE transport answers it with.
import {
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Client } from '../access/identity.js';
import { checkScopes } from '../schema/access.js';
import type { PointsGate } from '../schema/admission.js';
import { refusal } from '../schema/errors.js';
import { limitsCheck, type LimitsCheck, type QueryLimits } from '../schema/limits.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';
import { liveContext, type LiveContext } from './context.js';
import type { LiveHub } from './hub.js';

/** How an error reaches a client: Apollo's formatting (masking, redaction, suggestions). */
export type FormatError = (error: GraphQLError) => GraphQLFormattedError;

export interface SubscriptionParams {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export type Prepared =
  { ok: true; args: ExecutionArgs & { contextValue: LiveContext } } | { ok: false; status: number; errors: GraphQLError[] };

/** The text of the documents kept, in characters (a document's AST is some ten times its text). */
const DOCUMENTS_MAX_CHARS = 2_000_000;

const requestError = (status: number, code: string, message: string): Prepared => ({
  ok: false,
  status,
  errors: [new GraphQLError(message, { extensions: { code } })],
});

export interface GateOptions {
  schema: GraphQLSchema;
  limits: QueryLimits;
  /** What each subscription's context is made of. */
  contextBase: Parameters<typeof liveContext>[0];
  hub: LiveHub;
  /** MAX_POINTS_IN_FLIGHT, shared with the queries: each event reserves the points it may write. */
  pointsGate: PointsGate;
  format: FormatError;
}

export class SubscriptionGate {
  private readonly checkLimits: LimitsCheck;
  /**
   * Valid documents by their text, as Apollo keeps them for queries: a dashboard's viewers send
   * the same subscription, parsed and validated once and held once (the limits' checks of its
   * shape are kept with it).
   */
  private readonly documents = new LRUCache<string, DocumentNode>({
    maxSize: DOCUMENTS_MAX_CHARS,
    sizeCalculation: (_d, text) => text.length,
  });

  constructor(private readonly o: GateOptions) {
    this.checkLimits = limitsCheck(o.schema, o.limits);
  }

  async prepare(client: Client, requestId: string, params: SubscriptionParams): Promise<Prepared> {
    const { query, variables, operationName } = params;
    if (typeof query !== 'string' || query.trim() === '') return requestError(400, 'BAD_REQUEST', 'send the subscription in `query`');
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
      return requestError(400, 'BAD_REQUEST', '`variables` must be an object');
    }
    if (operationName != null && typeof operationName !== 'string')
      return requestError(400, 'BAD_REQUEST', '`operationName` must be a string');
    let document = this.documents.get(query);
    if (!document) {
      try {
        document = parse(query);
      } catch (err) {
        return requestError(400, 'GRAPHQL_PARSE_FAILED', err instanceof GraphQLError ? err.message : 'the query does not parse');
      }
      const invalid = validate(this.o.schema, document);
      if (invalid.length > 0) {
        return {
          ok: false,
          status: 400,
          errors: invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
        };
      }
      this.documents.set(query, document);
    }
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) {
      return requestError(
        400,
        'OPERATION_RESOLUTION_FAILURE',
        'name the operation to run (`operationName`): the document holds several, or none by that name',
      );
    }
    if (operation.operation !== 'subscription') {
      return requestError(400, 'BAD_REQUEST', `only subscriptions are taken here: send a ${operation.operation} to POST /graphql`);
    }
    const contextValue = liveContext(this.o.contextBase, this.o.hub, this.o.pointsGate, { requestId, client });
    const variableValues = (variables ?? {}) as Record<string, unknown>;
    try {
      checkScopes(operation.operation, client);
      contextValue.estimate = await this.checkLimits(document, operation, variableValues, contextValue.registry);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const refused = refusal(err);
      const { http, ...extensions } = refused.extensions as { http?: { status?: number } };
      return { ok: false, status: http?.status ?? 400, errors: [new GraphQLError(refused.message, { extensions, originalError: err })] };
    }
    return {
      ok: true,
      args: { schema: this.o.schema, document, operationName: operationName ?? undefined, variableValues, contextValue },
    };
  }

  /** An event (or the errors of a subscription that could not start) as the client gets it. */
  formatResult(result: ExecutionResult): FormattedExecutionResult {
    const { errors, ...rest } = result;
    return errors?.length ? { ...rest, errors: errors.map(this.o.format) } : rest;
  }

  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map(this.o.format);
  }
}

/** LIMIT_EXCEEDED for one subscription too many on a connection. */
export function tooManySubscriptions(allowed: number): GraphQLError {
  return new GraphQLError(
    `this connection holds ${allowed} subscriptions already, the most it may (LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one, or open another connection`,
    { extensions: { code: ErrorCode.LIMIT_EXCEEDED, limit: 'LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION', allowed } },
  );
}

/** What a client is told of a fault of the gateway's own (its details go to the log). */
export function internalError(): GraphQLError {
  return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
}
