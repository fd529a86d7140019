import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { UpstreamName, upstreamPrefix } from './shared/domain.js';

/** The closed set of error codes the gateway itself raises (besides GraphQL's own parse/validation codes). */
export enum ErrorCode {
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_AUTH_FAILED = 'UPSTREAM_AUTH_FAILED',
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  UPSTREAM_BAD_RESPONSE = 'UPSTREAM_BAD_RESPONSE',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const gatewayCodes = new Set<string>(Object.values(ErrorCode));

/** Codes Apollo Server / graphql-js produce for a bad request; they are safe to show as they are. */
const requestCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

export interface GatewayErrorOptions {
  upstream?: UpstreamName;
  /** Extra, non-secret details for the client (e.g. the upstream's own error code). */
  details?: Record<string, unknown>;
  /** Kept for the logs only: never sent to the client. */
  cause?: unknown;
}

export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  readonly upstream: UpstreamName | undefined;
  readonly internalCause: unknown;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, {
      extensions: {
        code,
        ...(options.upstream ? { upstream: upstreamPrefix[options.upstream] } : {}),
        ...options.details,
      },
    });
    this.name = 'GatewayError';
    this.code = code;
    this.upstream = options.upstream;
    this.internalCause = options.cause;
  }
}

export const badInput = (message: string, details?: Record<string, unknown>): GatewayError =>
  new GatewayError(ErrorCode.BAD_USER_INPUT, message, { details });

export const notFound = (message: string, upstream?: UpstreamName): GatewayError =>
  new GatewayError(ErrorCode.NOT_FOUND, message, { upstream });

/**
 * Apollo `formatError`: errors of the closed set and GraphQL's own request errors go out as they
 * are; anything else is an internal fault and is masked (its stack goes to the log).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: (err: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GatewayError) {
    return { ...formatted, extensions: { ...original.extensions } };
  }
  const code = formatted.extensions?.code;
  // INTERNAL_SERVER_ERROR is also what Apollo gives any error that has no code (a TypeError in a
  // resolver, a non-null field that came back null): those are masked and logged like the rest.
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && (gatewayCodes.has(code) || requestCodes.has(code))) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  log(original);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
