// The schema layer's side of errors: the closed set of src/shared/errors.ts turned into GraphQL
// errors (`extensions.code`, `extensions.upstream` and the details), and Apollo's `formatError`,
// which lets that set and GraphQL's own request errors through and masks everything else.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode, GatewayError } from '../shared/errors.js';

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

/** The `extensions` a client sees for an error of the closed set. */
export function extensionsOf(err: GatewayError): Record<string, unknown> {
  const extensions: Record<string, unknown> = { code: err.code };
  if (err.upstream) extensions.upstream = err.upstream;
  for (const [key, value] of Object.entries(err.details)) if (value !== undefined) extensions[key] = value;
  return extensions;
}

/** An error (of the closed set or not) as a GraphQL error at `path`, for answers assembled by hand. */
export function toGraphQLError(err: unknown, path?: ReadonlyArray<string | number>): GraphQLError {
  if (err instanceof GatewayError) return new GraphQLError(err.message, { path, extensions: extensionsOf(err), originalError: err });
  if (err instanceof GraphQLError) return new GraphQLError(err.message, { path, extensions: err.extensions, originalError: err });
  return new GraphQLError(err instanceof Error ? err.message : String(err), {
    path,
    originalError: err instanceof Error ? err : undefined,
  });
}

/** HTTP statuses of a refusal of the whole request, by code (everything else answers 200 or Apollo's own). */
const refusalStatus: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.LIMIT_EXCEEDED]: 400,
  [ErrorCode.BAD_USER_INPUT]: 400,
};

/** An error of the closed set that refuses a whole request before it runs, with its HTTP status. */
export function refusal(err: GatewayError): GraphQLError {
  return new GraphQLError(err.message, {
    extensions: { ...extensionsOf(err), http: { status: refusalStatus[err.code] ?? 400 } },
    originalError: err,
  });
}

/**
 * The error with every secret the process knows replaced, in its message and its extensions: an
 * upstream may echo what it was sent (a login body, an Authorization header) in the message the
 * gateway passes on.
 */
export function redactError(formatted: GraphQLFormattedError, secrets: { redact(text: string): string }): GraphQLFormattedError {
  const extensions = formatted.extensions
    ? Object.fromEntries(Object.entries(formatted.extensions).map(([k, v]) => [k, redactValue(v, secrets)]))
    : undefined;
  return { ...formatted, message: secrets.redact(formatted.message), ...(extensions ? { extensions } : {}) };
}

function redactValue(value: unknown, secrets: { redact(text: string): string }): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  return value;
}

/**
 * Apollo `formatError`: errors of the closed set and GraphQL's own request errors go out as they
 * are; anything else is an internal fault and is masked (its stack goes to the log).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: (err: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GatewayError) return { ...formatted, extensions: extensionsOf(original) };
  const code = formatted.extensions?.code;
  // INTERNAL_SERVER_ERROR is also what Apollo gives any error that has no code (a TypeError in a
  // resolver, a non-null field that came back null): those are masked and logged like the rest.
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR && (gatewayCodes.has(code) || requestCodes.has(code))) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    // Apollo's own words tell a developer to change its constructor's options; here it is a setting.
    const message = formatted.message.startsWith('GraphQL introspection is not allowed')
      ? 'introspection is off on this gateway (INTROSPECTION=off): the schema is in schema.graphql of its repository'
      : formatted.message;
    return { ...formatted, message, extensions };
  }
  if (isApolloRefusal(original)) return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  log(original);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * Apollo refuses a persisted query whose hash is not its text's ("provided sha does not match
 * query") or of another protocol version with HTTP 400 and no code: the client's mistake, in
 * Apollo's own words, not an internal fault.
 */
function isApolloRefusal(err: unknown): boolean {
  if (!(err instanceof GraphQLError) || err.extensions.code !== undefined || err.path) return false;
  const http = err.extensions.http as { status?: unknown } | undefined;
  return http?.status === 400;
}
