/**
 * The query parameters of RabbitMQ 3.10's lists (rabbit_mgmt_util): `sort` (a field, dotted for nested
 * ones, before the list's default order) and `sort_reverse=true`; `columns` (columns.ts); and on the lists
 * it pages (vhosts, queues, exchanges, connections, channels) `page`, `page_size`, `name` and `use_regex`,
 * answered as one page with its counts. Bad values are refused with RabbitMQ's errors and reasons.
 */
import { compilePattern } from '../broker/policy-pattern.js';
import { withColumns } from './columns.js';
import { badRequest, HttpError } from './http-error.js';
import { sortedBy, type ListItem, type ListOrder } from './list-order.js';
import { erlangInteger } from './routes/body.js';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

interface Paging {
  readonly page: number;
  readonly size: number;
  /** Whether an item's name passes the `name` filter; null without one. */
  readonly matches: ((name: unknown) => boolean) | null;
}

/** A page of a list, as RabbitMQ answers one. */
interface Page {
  readonly filtered_count: number;
  readonly item_count: number;
  readonly items: unknown[];
  readonly page: number;
  readonly page_count: number;
  readonly page_size: number;
  readonly total_count: number;
}

/** What RabbitMQ answers for anything its pagination cannot parse (a bad number, a bad regex). */
const unparsable = (): HttpError => badRequest('Pagination parameters are invalid');

/** A parameter as Erlang's list_to_integer reads it (an optional sign, digits); undefined when absent. */
function integerParam(query: URLSearchParams, key: string): number | undefined {
  const v = query.get(key);
  if (v === null) return undefined;
  const n = erlangInteger(v);
  if (n === null) throw unparsable();
  return n;
}

/**
 * `name` matches an item's name without regard to ASCII case: as a substring, or with use_regex=true as a
 * PCRE regular expression, as translated for policy patterns (compiled when first needed, as RabbitMQ runs
 * it only on items; one JavaScript cannot express is refused like an invalid one).
 */
function nameFilter(query: URLSearchParams): Paging['matches'] {
  const name = query.get('name');
  if (!name) return null;
  const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (query.get('use_regex') !== 'true') {
    const needle = lower(name);
    return (n) => typeof n === 'string' && lower(n).includes(needle);
  }
  let re: RegExp | undefined;
  return (n) => {
    try {
      re ??= compilePattern(`(?i)${name}`);
    } catch {
      throw unparsable();
    }
    return typeof n === 'string' && re.test(n);
  };
}

/** The page the query asks for; null when it names no page (page_size is still checked, as RabbitMQ does). */
function pagingOf(query: URLSearchParams): Paging | null {
  const page = integerParam(query, 'page');
  const size = integerParam(query, 'page_size');
  if (page === undefined) return null;
  const pageSize = size ?? DEFAULT_PAGE_SIZE;
  if (page <= 0 || pageSize <= 0 || pageSize > MAX_PAGE_SIZE) {
    throw new HttpError(400, 'invalid_pagination_parameters', `Invalid pagination parameters: page number ${page}, page size ${size ?? 'undefined'}`);
  }
  return { page, size: pageSize, matches: nameFilter(query) };
}

/** The page of `sorted` (filtered by name); a page just past the last is empty, one further is refused. */
function pageOf(sorted: ListItem[], p: Paging): Page {
  const { matches } = p;
  const filtered = matches ? sorted.filter((i) => matches((i as { name?: unknown }).name)) : sorted;
  const offset = (p.page - 1) * p.size;
  if (offset > filtered.length) throw new HttpError(400, 'page_out_of_range', `Page out of range, page: ${p.page} page size: ${p.size}, len: ${filtered.length}`);
  const items = filtered.slice(offset, offset + p.size);
  return {
    filtered_count: filtered.length,
    item_count: items.length,
    items,
    page: p.page,
    page_count: Math.ceil(filtered.length / p.size),
    page_size: p.size,
    total_count: sorted.length,
  };
}

/**
 * `items` as a list GET answers them: sorted (by `sort` first, then `order`; 3.10 leaves the list unsorted
 * for an empty `sort`, in its tables' arbitrary order, where later releases sort by default, as here),
 * reversed with sort_reverse=true, paged if `paged` and the query names a page, then cut to `columns`.
 */
export function listReply(items: ListItem[], order: ListOrder, query: URLSearchParams, paged: boolean): unknown {
  const paging = paged ? pagingOf(query) : null;
  const sort = query.get('sort');
  const sorted = sortedBy(items, sort ? [sort, ...order.filter((f) => f !== sort)] : order);
  if (query.get('sort_reverse') === 'true') sorted.reverse();
  if (paging === null) return withColumns(sorted, query);
  const page = pageOf(sorted, paging);
  return { ...page, items: withColumns(page.items, query) };
}
