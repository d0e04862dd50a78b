import type { MgmtContext } from './context.js';
import { diskFree, maxFds, memoryLimit, openFds } from './node-resources.js';
import type { Reader } from './rates.js';
import { withRate } from './shapes.js';

/** What the node's readings are filed under: the node is no object of its own. */
export const NODE_KEY = {};

interface Gauges {
  readonly memUsed: number;
  /** 0 when unreadable; the alarm check logs the failure. */
  readonly diskFree: number;
  /** Null where the system does not tell. */
  readonly fdUsed: number | null;
  readonly socketsUsed: number;
}

function gauges(ctx: MgmtContext): Gauges {
  return { memUsed: process.memoryUsage.rss(), diskFree: diskFree(ctx.config) ?? 0, fdUsed: openFds(), socketsUsed: ctx.amqp.connections.size };
}

/** The node's gauges whose rates RabbitMQ shows beside them (mem_used_details...), read by the statistics sweep. */
export const NODE_GAUGES: Reader<MgmtContext> = {
  fields: ['memUsed', 'diskFree', 'fdUsed', 'socketsUsed'],
  read(ctx, into, at) {
    const g = gauges(ctx);
    into[at] = g.memUsed;
    into[at + 1] = g.diskFree;
    into[at + 2] = g.fdUsed ?? 0;
    into[at + 3] = g.socketsUsed;
  },
};

/** The node's memory, disk, file descriptors and sockets as /api/nodes shows them: use, limits, alarms, rates. */
export function nodeGaugesJson(ctx: MgmtContext): Record<string, unknown> {
  const g = gauges(ctx);
  const r = ctx.rates.rates(NODE_KEY, g, NODE_GAUGES.fields);
  const memLimit = memoryLimit(ctx.config);
  const fdTotal = maxFds();
  return {
    ...withRate('mem_used', g.memUsed, r['memUsed']!),
    mem_limit: memLimit,
    mem_alarm: g.memUsed > memLimit,
    mem_calculation_strategy: 'rss',
    ...withRate('disk_free', g.diskFree, r['diskFree']!),
    disk_free_limit: ctx.config.diskFreeLimit,
    disk_free_alarm: g.diskFree < ctx.config.diskFreeLimit,
    // from Linux' /proc; left out where the system does not tell them
    ...(g.fdUsed === null ? {} : withRate('fd_used', g.fdUsed, r['fdUsed']!)),
    // Warren sets no socket limit of its own: file descriptors are what bound its sockets
    ...(fdTotal === null ? {} : { fd_total: fdTotal, sockets_total: fdTotal }),
    ...withRate('sockets_used', g.socketsUsed, r['socketsUsed']!),
  };
}
