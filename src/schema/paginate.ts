import { badInput } from '../shared/errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageResult<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

// Cursors are the item's global ID, opaque to clients: stable while the list changes around it.
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
const decodeCursor = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');

export function paginate<T extends { id: string }>(
  items: readonly T[],
  first: number | null | undefined,
  after: string | null | undefined,
): PageResult<T> {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw badInput(`first must be from 0 to ${MAX_PAGE_SIZE} (got ${size})`, { argument: 'first' });
  }
  let start = 0;
  if (after) {
    const id = decodeCursor(after);
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) {
      throw badInput('after: this cursor does not point into this list (use the endCursor of a page of the same query)', {
        argument: 'after',
      });
    }
    start = index + 1;
  }
  const nodes = items.slice(start, start + size);
  const last = nodes.at(-1);
  return {
    nodes,
    totalCount: items.length,
    pageInfo: { hasNextPage: start + size < items.length, endCursor: last ? encodeCursor(last.id) : null },
  };
}
