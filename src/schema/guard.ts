// The Apollo plugin that refuses an operation before anything of it runs: a subscription (plain
// HTTP runs queries and mutations; src/live runs subscriptions), then a client without
// the scope it needs (FORBIDDEN, 403: it learns nothing of the cost), then one over a limit
// (LIMIT_EXCEEDED, 400). Both come out as GraphQL errors with the HTTP status of the refusal.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
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
          if (operation.operation === 'subscription') {
            throw new GraphQLError(
              'subscriptions run over WebSocket (graphql-ws, at this same URL) or Server-Sent Events (/graphql/stream), not over a plain request',
              { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
            );
          }
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
