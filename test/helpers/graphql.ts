// A minimal GraphQL-over-HTTP client for tests: typed documents from codegen, or plain strings.
import { print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { bearer, KEYS } from './access.js';

/** Tests assert on values, and a null where a value is expected fails the assertion anyway. */
export type Loose<T> = T extends Array<infer U> ? Array<Loose<U>> : T extends object ? { [K in keyof T]-?: Loose<NonNullable<T[K]>> } : T;

export interface GraphQLResponse<T> {
  status: number;
  data?: Loose<T>;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
  raw: string;
}

/**
 * Sends the tests' read-and-write key unless the headers carry credentials of their own (an empty
 * `authorization` sends none).
 */
export async function gql<TData = Record<string, any>, TVars = Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TData, TVars> | DocumentNode | string,
  variables?: TVars,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const query = typeof document === 'string' ? document : print(document);
  const credentials = 'authorization' in headers || 'x-api-key' in headers ? {} : bearer(KEYS.admin);
  const sent = Object.fromEntries(Object.entries({ ...credentials, ...headers }).filter(([, v]) => v !== ''));
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...sent },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await res.text();
  const body = JSON.parse(raw) as Omit<GraphQLResponse<TData>, 'status' | 'raw'>;
  return { status: res.status, ...body, raw };
}
