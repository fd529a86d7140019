// The gateway's closed set of errors, as plain typed values: the upstream layers throw them and
// know nothing of GraphQL; the schema layer (src/schema/errors.ts) turns them into GraphQL errors
// with `extensions.code`, `extensions.upstream` and the details below.

/** The closed set of error codes the gateway itself raises (besides GraphQL's own parse/validation codes). */
export enum ErrorCode {
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_AUTH_FAILED = 'UPSTREAM_AUTH_FAILED',
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  UPSTREAM_BAD_RESPONSE = 'UPSTREAM_BAD_RESPONSE',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** A request over one of the limits of what a request may ask (depth, aliases, cost, points). */
  LIMIT_EXCEEDED = 'LIMIT_EXCEEDED',
  /** No credentials where they are required, or credentials that are no good. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** Known credentials without the scope, or the upstream, the request needs. */
  FORBIDDEN = 'FORBIDDEN',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** What a client may be told about an error besides its code and message: nothing secret. */
export interface ErrorDetails {
  /** The upstream's HTTP status. */
  status?: number;
  /** Why, in one word: TIMEOUT, RATE_LIMITED, SUNSET, ECONNREFUSED, REDIRECT_ELSEWHERE… */
  reason?: string;
  /** The upstream's own error code (FlexMeasures: INVALID_UNIT…); null when it named none. */
  upstreamCode?: string | null;
  /** The upstream's own message, trimmed. */
  upstreamMessage?: string;
  /** The fields a validation error names (upstream 422s). */
  fields?: string[];
  /** How long the upstream asked to wait (429). */
  retryAfterSeconds?: number;
  /** The GraphQL argument to change (BAD_USER_INPUT). */
  argument?: string;
  /** LIMIT_EXCEEDED: which limit (its setting's name), what the request asked, what it may. */
  limit?: string;
  asked?: number;
  allowed?: number;
}

export interface GatewayErrorOptions extends ErrorDetails {
  /** The upstream's name (`meetnet`), for errors about one upstream. */
  upstream?: string;
  /** Kept for the logs only: never sent to the client. */
  cause?: unknown;
}

/** An error of the closed set. Its message is written for the client: it names no secret. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly upstream: string | undefined;
  /** What the client is told besides code, upstream and message. */
  readonly details: Readonly<ErrorDetails>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    const { upstream, cause, ...details } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'GatewayError';
    this.code = code;
    this.upstream = upstream;
    this.details = details;
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get fields(): string[] | undefined {
    return this.details.fields;
  }
}

export const badInput = (message: string, details: Pick<ErrorDetails, 'argument'> = {}): GatewayError =>
  new GatewayError(ErrorCode.BAD_USER_INPUT, message, details);
