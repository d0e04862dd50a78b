import { ApiError, asList, asObject } from './client.js';
import type { Command } from './command.js';

type Row = Record<string, unknown>;
const obj = (v: unknown): Row => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Row) : {});

/** status: the overview, plus the node's resources when the user may see them (monitoring). */
export const statusCommand: Command = {
  name: 'status',
  usage: '',
  summary: 'shows the node: product, listeners, object and message totals, memory, disk and alarms',
  minArgs: 0,
  maxArgs: 0,
  options: [],
  async run(ctx) {
    const overview = asObject(await ctx.client.get('/api/overview'), 'the overview');
    let nodes: Row[] = [];
    try {
      nodes = asList(await ctx.client.get('/api/nodes'), 'nodes');
    } catch (e) {
      // /api/nodes needs the monitoring tag; the overview alone is still a status
      if (!(e instanceof ApiError && e.refused)) throw e;
    }
    const node = nodes.find((n) => n['name'] === overview['node']) ?? nodes[0] ?? {};
    const totals = obj(overview['object_totals']);
    const queued = obj(overview['queue_totals']);
    const listeners = Array.isArray(overview['listeners']) ? (overview['listeners'] as Row[]) : [];
    const alarms = [node['mem_alarm'] === true ? 'memory' : null, node['disk_free_alarm'] === true ? 'disk' : null].filter((x): x is string => x !== null);
    ctx.out.info(`Status of node ${String(overview['node'])} ...`);
    const pairs: [string, unknown][] = [
      ['Product', `${String(overview['product_name'] ?? 'RabbitMQ')} ${String(overview['product_version'] ?? overview['rabbitmq_version'] ?? '')}`.trim()],
      ['Node', overview['node']],
      ['Cluster', overview['cluster_name']],
      ['Listeners', listeners.map((l) => `${String(l['protocol'])} ${String(l['ip_address'])}:${String(l['port'])}`)],
      ['Connections', totals['connections']],
      ['Channels', totals['channels']],
      ['Exchanges', totals['exchanges']],
      ['Queues', totals['queues']],
      ['Consumers', totals['consumers']],
      ['Messages', queued['messages']],
      ['Messages ready', queued['messages_ready']],
      ['Messages unacknowledged', queued['messages_unacknowledged']],
    ];
    if (nodes.length > 0) {
      pairs.push(
        ['Uptime (seconds)', typeof node['uptime'] === 'number' ? Math.floor(node['uptime'] / 1000) : null],
        ['Memory used (bytes)', node['mem_used']],
        ['Memory limit (bytes)', node['mem_limit']],
        ['Disk free (bytes)', node['disk_free']],
        ['Disk free limit (bytes)', node['disk_free_limit']],
        ['Alarms', alarms.length > 0 ? alarms : 'none'],
      );
    }
    ctx.out.record(pairs, { overview, node: nodes.length > 0 ? node : null, alarms });
  },
};
