import type { MgmtContext } from '../context.js';
import { notFound } from '../http-error.js';
import { BY_VHOST_NAME } from '../list-order.js';
import { upsert, type Router } from '../router.js';
import { objectBody, stringValue } from './body.js';
import { requireKeys } from './required-keys.js';

/**
 * Global runtime parameters and the cluster name, which is one of them, as RabbitMQ 3.10 has them:
 * policymakers read and write the parameters, anyone reads the name, administrators set it. Warren sets
 * none itself (RabbitMQ's internal_cluster_id has no use here).
 */
export function globalParameterRoutes(r: Router, ctx: MgmtContext): void {
  const params = ctx.broker.globalParameters;
  const json = (name: string) => ({ name, value: params.get(name) });
  r.list('/api/global-parameters', 'policies', BY_VHOST_NAME, () => params.entries().map(([name]) => json(name)));
  r.add('GET', '/api/global-parameters/{name}', 'policies', (req) => {
    if (!params.has(req.params['name']!)) throw notFound();
    return json(req.params['name']!);
  });
  r.put('/api/global-parameters/{name}', 'policies', async (req) => {
    const body = objectBody(await req.body());
    requireKeys(body, ['value']);
    const existed = params.has(req.params['name']!);
    params.set(req.params['name']!, body['value']);
    return upsert(existed);
  });
  r.add('DELETE', '/api/global-parameters/{name}', 'policies', (req) => {
    if (!params.delete(req.params['name']!)) throw notFound();
    return undefined;
  });

  r.add('GET', '/api/cluster-name', 'management', () => ({ name: params.clusterName(ctx.node) }));
  // 204 even the first time: to RabbitMQ the cluster name always exists
  r.put('/api/cluster-name', 'administrator', async (req) => {
    const body = objectBody(await req.body());
    requireKeys(body, ['name']);
    params.setClusterName(stringValue(body, 'name'));
    return 'updated';
  });
}
