// The Apollo plugin that refuses an operation before anything of it runs: first a client without
// the scope it needs (FORBIDDEN, 403: it learns nothing of the cost), then one over a limit
// (LIMIT_EXCEEDED, 400). Both come out as GraphQL errors with the HTTP status of the refusal.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../shared/errors.js';
import { checkScopes } from './access.js';
import { refusal } from './errors.js';
import { limitsCheck, type QueryLimits } from './limits.js';

export function operationGuardPlugin(schema: GraphQLSchema, limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  const checkLimits = limitsCheck(schema, limits);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          try {
            checkScopes(operation.operation, contextValue.client);
            contextValue.estimate = await checkLimits(document, operation, request.variables ?? {}, contextValue.registry);
          } catch (err) {
            throw err instanceof GatewayError ? refusal(err) : err;
          }
        },
      };
    },
  };
}
