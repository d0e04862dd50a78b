import { binaryOrder } from './erlang-hash.js';

/**
 * The fields RabbitMQ sorts a list by when the request names no `sort`; a field may be a dotted path into
 * nested objects (`message_stats.publish`). It sorts Erlang terms: a field an item lacks (or null) counts
 * as 0, numbers come before atoms (true, false) and atoms before strings, strings go by their UTF-8 bytes;
 * items equal on every field are ordered by the whole item, which the trailing fields here stand for.
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

/** The value at a field's path (its dotted name split), undefined where the path leaves the objects. */
const valueAt = (item: ListItem, path: readonly string[]): unknown =>
  path.reduce<unknown>((o, key) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined), item);

/** Erlang's order of the kinds of term a JSON value stands for: numbers, atoms, then binaries (and the rest). */
const rank = (x: unknown): number => (typeof x === 'number' ? 0 : typeof x === 'boolean' ? 1 : 2);

function compareTerms(a: unknown, b: unknown): number {
  const [x, y] = [a ?? 0, b ?? 0];
  const byKind = rank(x) - rank(y);
  if (byKind !== 0) return byKind;
  return typeof x === 'number' ? x - (y as number) : binaryOrder(String(x), String(y));
}

/** The list in place, in `order`. */
export function sortedBy<T extends ListItem>(list: T[], order: ListOrder): T[] {
  const paths = order.map((field) => field.split('.'));
  return list.sort((a, b) => {
    for (const path of paths) {
      const c = compareTerms(valueAt(a, path), valueAt(b, path));
      if (c !== 0) return c;
    }
    return 0;
  });
}
