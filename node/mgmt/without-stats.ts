import { badRequest } from './http-error.js';

/**
 * What an endpoint answers to ?disable_stats=true, as RabbitMQ 3.10 does (its UI's setting of that name,
 * and clients that list cheaply): the objects' keys that are not statistics, with
 * enable_queue_totals=true also the `totals` (the queue list's message counts); or, where the endpoint is
 * all statistics, 400. Endpoints without one ignore the parameter, as RabbitMQ's do.
 */
export type WithoutStats = { readonly keep: readonly string[]; readonly totals?: readonly string[] } | 'refused';

const QUEUE_KEYS = ['name', 'vhost', 'durable', 'auto_delete', 'exclusive', 'arguments', 'node', 'state', 'type', 'policy'];
export const QUEUE: WithoutStats = { keep: QUEUE_KEYS };
export const QUEUES: WithoutStats = { keep: QUEUE_KEYS, totals: ['messages', 'messages_ready', 'messages_unacknowledged'] };
export const EXCHANGES: WithoutStats = { keep: ['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy', 'user_who_performed_action'] };
export const CONNECTIONS: WithoutStats = { keep: ['name', 'vhost', 'user', 'node'] };
export const CONNECTION: WithoutStats = { keep: ['name'] };
export const VHOSTS: WithoutStats = { keep: ['name', 'description', 'tags', 'metadata', 'tracing', 'default_queue_type', 'cluster_state'] };
export const NODES: WithoutStats = { keep: ['name', 'type', 'running'] };
/** Channels and consumers. */
export const REFUSED: WithoutStats = 'refused';

/**
 * The cut `spec` asks of each object, or null when the query does not disable statistics; 400 where
 * refused. A key whose value is null is left out, as RabbitMQ leaves out what is unset (a queue's policy).
 */
export function statsCut(spec: WithoutStats | undefined, query: URLSearchParams): ((o: object) => object) | null {
  if (spec === undefined || query.get('disable_stats') !== 'true') return null;
  if (spec === 'refused') throw badRequest('Stats in management UI are disabled on this node');
  const keys = query.get('enable_queue_totals') === 'true' ? [...spec.keep, ...(spec.totals ?? [])] : spec.keep;
  return (o) => Object.fromEntries(Object.entries(o).filter(([k, v]) => keys.includes(k) && v !== null && v !== undefined));
}
