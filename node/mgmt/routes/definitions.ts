import { VERSION } from '../../amqp/server-properties.js';
import type { Vhost } from '../../broker/vhost.js';
import { vhostOr, vhostToWrite, type MgmtContext } from '../context.js';
import { importDefinitions } from '../definitions-import.js';
import { badRequest } from '../http-error.js';
import { tableToJson } from '../json-args.js';
import { parametersOf } from '../policy-parameters.js';
import type { Request, Router } from '../router.js';
import { NO_METADATA, policyJson, userJson } from '../shapes.js';
import { objectBody } from './body.js';
import { topicPermissionJson } from './topic-permissions.js';

/** Durable topology of some vhosts, in RabbitMQ's definitions format. */
function vhostDefinitions(vhosts: Vhost[], withVhostField: boolean): Record<string, unknown[]> {
  const tag = (v: Vhost) => (withVhostField ? { vhost: v.name } : {});
  return {
    queues: vhosts.flatMap((v) =>
      [...v.queues.values()]
        .filter((q) => q.options.durable && !q.options.exclusive)
        .map((q) => ({ name: q.name, ...tag(v), durable: true, auto_delete: q.options.autoDelete, arguments: tableToJson(q.options.arguments) })),
    ),
    exchanges: vhosts.flatMap((v) =>
      [...v.exchanges.values()]
        .filter((x) => x.options.durable && x.name !== '' && !x.name.startsWith('amq.'))
        .map((x) => ({ name: x.name, ...tag(v), type: x.options.type, durable: true, auto_delete: x.options.autoDelete, internal: x.options.internal, arguments: tableToJson(x.options.arguments) })),
    ),
    bindings: vhosts.flatMap((v) =>
      [...v.exchanges.values()]
        .filter((x) => x.options.durable && x.name !== '')
        .flatMap((x) => [...x.bindings.values()])
        .filter((b) => b.destination.options.durable)
        .map((b) => ({ source: b.source.name, ...tag(v), destination: b.destination.name, destination_type: b.destination.kind, routing_key: b.routingKey, arguments: tableToJson(b.arguments) })),
    ),
    policies: vhosts.flatMap((v) => [...v.policies.values()].map((p) => (withVhostField ? policyJson(p) : { ...policyJson(p), vhost: undefined }))),
    // operator policies and vhost limits are parameters in RabbitMQ's definitions
    parameters: vhosts.flatMap((v) => parametersOf(v).map(({ vhost: _vhost, ...p }) => ({ ...tag(v), ...p }))),
  };
}

export function definitionRoutes(r: Router, ctx: MgmtContext): void {
  const b = ctx.broker;
  r.add('GET', '/api/definitions', 'administrator', () => ({
    rabbit_version: VERSION,
    product_name: 'Warren',
    product_version: VERSION,
    users: [...b.users.values()].map((u) => userJson(u, b.userLimits.of(u.name))),
    vhosts: [...b.vhosts.keys()].map((name) => ({ name, limits: [], metadata: b.vhostMetadata.get(name) ?? NO_METADATA })),
    permissions: [...b.permissions].flatMap(([vhost, m]) => [...m].map(([user, p]) => ({ user, vhost, configure: p.configure, write: p.write, read: p.read }))),
    topic_permissions: b.topicPermissions.all().map(topicPermissionJson),
    global_parameters: ctx.broker.globalParameters.entries().map(([name, value]) => ({ name, value })),
    ...vhostDefinitions([...b.vhosts.values()], true),
  }));
  r.add('GET', '/api/definitions/{vhost}', 'administrator', (req) => {
    // RabbitMQ's export of a missing vhost fails as a bad request, not as a missing object
    const v = vhostOr(ctx, req.params['vhost']!, () => badRequest('vhost_not_found'));
    return { rabbit_version: VERSION, ...vhostDefinitions([v], false) };
  });
  // 204 as RabbitMQ answers; 200 listing what was skipped or changed, when something was (each also logged)
  const post = async (req: Request, only?: string) => {
    const warnings = importDefinitions(ctx, req.user.name, objectBody(await req.body()), only);
    for (const w of warnings) ctx.log.warn({ user: req.user.name }, w);
    return warnings.length > 0 ? { warnings } : undefined;
  };
  r.add('POST', '/api/definitions', 'administrator', (req) => post(req));
  r.add('POST', '/api/definitions/{vhost}', 'administrator', (req) => post(req, vhostToWrite(ctx, req.params['vhost']!).name));
}
