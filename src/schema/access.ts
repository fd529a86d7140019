// What a client's scopes let it run: `read` for queries (and subscriptions), `write` for
// mutations. The upstreams it may reach are the registry view of its context (ClientShare).
import type { OperationTypeNode } from 'graphql';
import type { Client } from '../access/identity.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';

export function checkScopes(operation: OperationTypeNode, client: Client): void {
  const needed = operation === 'mutation' ? 'write' : 'read';
  if (client.scopes.has(needed)) return;
  throw new GatewayError(
    ErrorCode.FORBIDDEN,
    client.kind === 'anonymous'
      ? `a ${operation} needs the ${needed} scope: send an API key or token that has it`
      : `${client.name} may not run a ${operation}: it needs the ${needed} scope`,
  );
}
