import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { MECHANISMS } from '../../amqp/sasl.js';
import { VERSION } from '../../amqp/server-properties.js';
import type { MgmtContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { BY_VHOST_NAME } from '../list-order.js';
import { nodeGaugesJson } from '../node-gauges.js';
import type { Router } from '../router.js';
import { NODES } from '../without-stats.js';
import { churnRates, exchangeTypesJson } from './overview.js';

const SASL_DESCRIPTIONS: Readonly<Record<string, string>> = { PLAIN: 'SASL PLAIN authentication mechanism', AMQPLAIN: 'QPid AMQPLAIN mechanism' };

/** What the node runs, where RabbitMQ lists its Erlang applications: Warren and the runtime under it. */
const APPLICATIONS = [
  { name: 'warren', description: 'Warren AMQP 0-9-1 broker, management API and web UI', version: VERSION },
  { name: 'node', description: 'Node.js runtime', version: process.versions.node },
  { name: 'v8', description: 'V8 JavaScript engine', version: process.versions.v8 },
  { name: 'openssl', description: 'OpenSSL, for TLS', version: process.versions.openssl },
];

/**
 * This node as /api/nodes shows it, with what Warren really has of RabbitMQ's keys: the Erlang VM's
 * figures (processes, run queue, garbage collection, Mnesia, I/O and message store counters) are left out
 * (test/mgmt/api-rabbitmq-keys.test.ts lists why).
 */
function nodeJson(ctx: MgmtContext): Record<string, unknown> {
  return {
    name: ctx.node,
    type: 'disc',
    running: true,
    os_pid: String(process.pid),
    processors: cpus().length,
    uptime: Date.now() - ctx.startedAt,
    rates_mode: 'basic',
    ...nodeGaugesJson(ctx),
    ...churnRates(ctx),
    exchange_types: exchangeTypesJson(),
    auth_mechanisms: MECHANISMS.split(' ').map((name) => ({ name, description: SASL_DESCRIPTIONS[name] ?? '', enabled: true })),
    applications: APPLICATIONS,
    contexts: [{ description: 'Warren Management', path: '/', port: String(ctx.mgmtPort()) }],
    // what RabbitMQ's plugins add (this API, /metrics, deduplication exchanges) Warren has built in
    enabled_plugins: [],
    // one node, so no partitions and no links to other clusters
    partitions: [],
    cluster_links: [],
    // the definitions log and message store
    db_dir: resolve(ctx.config.dataDir),
    log_files: ['<stdout>'],
  };
}

/** The nodes: this one (RabbitMQ answers 500 for a name it does not know; 404 here). */
export function nodeRoutes(r: Router, ctx: MgmtContext): void {
  r.list('/api/nodes', 'monitoring', BY_VHOST_NAME, () => [nodeJson(ctx)], { withoutStats: NODES });
  r.add(
    'GET',
    '/api/nodes/{name}',
    'monitoring',
    (req) => {
      if (req.params['name'] !== ctx.node) throw new HttpError(404, 'Object Not Found', 'no such node');
      return nodeJson(ctx);
    },
    NODES,
  );
}
