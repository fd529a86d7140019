// flask-smorest's pagination (§4): page and page_size, the page's slice of the rows, the X-Pagination header.
import type { ParamRecord, SimResult } from '../../../simulators/index.js';
import { PY_DEFAULT, pyDumps } from './pyjson.js';
import { QueryArgs } from './query-args.js';
import { validationError } from './validation.js';

/** One page of `rows` and its X-Pagination header (json.dumps defaults), or the 422 of a bad page or page_size. */
export function paginate<T>(query: ParamRecord, rows: T[]): { rows: T[]; header: string } | { result: SimResult } {
  const pq = new QueryArgs(query);
  const page = pq.int('page', false, [1, Infinity]) ?? 1;
  const pageSize = pq.int('page_size', false, [1, 100]) ?? 10;
  if (!pq.ok) return { result: validationError('query', pq.errors) };
  const total = rows.length;
  const meta = new Map<string, number>([['total', total]]);
  if (total === 0) meta.set('total_pages', 0);
  else {
    const pages = Math.floor((total - 1) / pageSize) + 1;
    meta.set('total_pages', pages).set('first_page', 1).set('last_page', pages);
    if (page <= pages) {
      meta.set('page', page);
      if (page > 1) meta.set('previous_page', page - 1);
      if (page < pages) meta.set('next_page', page + 1);
    }
  }
  return { rows: rows.slice((page - 1) * pageSize, page * pageSize), header: pyDumps(meta, PY_DEFAULT) };
}
