import { binaryOrder } from './erlang-hash.js';

/**
 * The fields RabbitMQ sorts a list by when the request names no `sort`. It sorts Erlang terms: a field an
 * item lacks counts as 0, numbers come before strings, strings go by their UTF-8 bytes; items equal on
 * every field are ordered by the whole item, which the trailing fields here stand for.
 */
export type ListOrder = readonly string[];

/** reply_list's default: queues, exchanges, connections, channels; users and vhosts (no vhost field) by name. */
export const BY_VHOST_NAME: ListOrder = ['vhost', 'name'];
/** Parameters of different components may share a name. */
export const PARAMETERS: ListOrder = ['vhost', 'name', 'component'];
export const BINDINGS: ListOrder = ['vhost', 'source', 'destination', 'routing_key', 'properties_key', 'destination_type'];
/** Policies (and operator policies) by priority alone; ties by the item, which begins with vhost and name. */
export const POLICIES: ListOrder = ['priority', 'vhost', 'name'];
export const PERMISSIONS: ListOrder = ['vhost', 'user', 'exchange'];

/** An object of a list the API answers. */
export type ListItem = object;

const valueOf = (item: ListItem, field: string): unknown => (item as Record<string, unknown>)[field];

function compareTerms(a: unknown, b: unknown): number {
  const [x, y] = [a ?? 0, b ?? 0];
  if (typeof x === 'number' || typeof y === 'number') {
    return typeof x === 'number' && typeof y === 'number' ? x - y : typeof x === 'number' ? -1 : 1;
  }
  return binaryOrder(String(x), String(y));
}

/** The list in place, in `order`. */
export function sortedBy<T extends ListItem>(list: T[], order: ListOrder): T[] {
  return list.sort((a, b) => {
    for (const field of order) {
      const c = compareTerms(valueOf(a, field), valueOf(b, field));
      if (c !== 0) return c;
    }
    return 0;
  });
}
