// A paginated list read whole when the server's pages have no stable order. FlexMeasures (its
// sensor and asset lists) and BEMServer (its link lists, and names tied across campaigns) page with
// OFFSET/LIMIT and no ORDER BY: when the order changes between two page reads, a row repeats on
// one page and another is never seen. The rows are counted by id against the total the server
// announced; a read that does not add up is made again, and the two reads together must hold
// every row.
import type { Logger } from '../logger.js';
import { ErrorCode, GatewayError } from '../shared/errors.js';

/** One read of every page: the items, their rows' ids (null when rows have none), the total announced (null when none). */
export interface ListRead<T> {
  items: T[];
  ids: unknown[] | null;
  total: number | null;
}

export interface WholeListOptions {
  upstream: string;
  label: string;
  route: string;
  logger: Logger;
  /**
   * When two reads together still miss rows: refuse the list (true), or serve what was seen with a
   * warning (false: where the total may count rows the account cannot read, as FlexMeasures' does).
   */
  strict: boolean;
}

/** The pages of one read joined: their items, and their rows' ids when every page had them. */
export function joinPages<T>(pages: ReadonlyArray<{ items: T[]; ids: unknown[] | null }>, total: number | null): ListRead<T> {
  const ids = pages.every((p) => p.ids !== null) ? pages.flatMap((p) => p.ids!) : null;
  return { items: pages.flatMap((p) => p.items), ids, total };
}

/** The `id` of each row of a page when every row has one; null otherwise. */
export function rowIds(rows: unknown): unknown[] | null {
  return Array.isArray(rows) && rows.every((r) => r !== null && typeof r === 'object' && 'id' in r)
    ? rows.map((r) => (r as { id: unknown }).id)
    : null;
}

const byId = <T>(r: ListRead<T>): Map<unknown, T> => new Map((r.ids ?? []).map((id, i) => [id, r.items[i]!] as const));

/** Every row once, or UPSTREAM_BAD_RESPONSE (strict) when two reads together do not hold them all. */
export async function wholeList<T>(read: () => Promise<ListRead<T>>, o: WholeListOptions): Promise<T[]> {
  const first = await read();
  if (first.total === null || first.ids === null || first.ids.length !== first.items.length) return first.items;
  const seen = byId(first);
  if (seen.size === first.total && first.items.length === first.total) return [...seen.values()];
  o.logger.warn(`${o.label} pages did not add up; reading the list again`, { route: o.route, rows: seen.size, total: first.total });
  const second = await read();
  if (second.ids !== null && second.ids.length === second.items.length) for (const [id, item] of byId(second)) seen.set(id, item);
  const total = second.total ?? first.total;
  if (seen.size >= total || !o.strict) {
    if (seen.size < total) o.logger.warn(`${o.label} list is short of its total`, { route: o.route, rows: seen.size, total });
    return [...seen.values()];
  }
  throw new GatewayError(
    ErrorCode.UPSTREAM_BAD_RESPONSE,
    `${o.label}'s ${o.route} pages changed while being read, twice: ${seen.size} distinct rows for a total of ${total}`,
    { upstream: o.upstream },
  );
}
