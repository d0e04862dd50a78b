import { AmqpError } from '../../../shared/amqp/index.js';
import { VERSION } from '../../amqp/server-properties.js';
import { Permission } from '../../broker/permissions.js';
import { TopicPermission } from '../../broker/topic-permissions.js';
import type { Vhost } from '../../broker/vhost.js';
import { vhostOr, vhostToWrite, type MgmtContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { jsonToTable, tableToJson } from '../json-args.js';
import { parametersOf } from '../policy-parameters.js';
import type { Router } from '../router.js';
import { NO_METADATA, policyJson, userJson } from '../shapes.js';
import { parseHashing, parseTags } from './access.js';
import { objectBody, optionalString } from './body.js';
import { putParameter, putPolicy } from './policies.js';
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
    // operator policies are parameters in RabbitMQ's definitions
    parameters: vhosts.flatMap((v) => parametersOf(v).map(({ vhost: _vhost, ...p }) => ({ ...tag(v), ...p }))),
  };
}

const list = (o: Record<string, unknown>, key: string): Record<string, unknown>[] => {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(`${key} must be a list`);
  return v.map((x) => objectBody(x));
};

const str = (o: Record<string, unknown>, key: string, where: string): string => {
  const v = o[key];
  if (typeof v !== 'string') throw badRequest(`${where}: ${key} must be a string`);
  return v;
};

/** Imports a definitions document (RabbitMQ's format); `only` forces every object into one vhost. */
/** Loads a definitions document; `user` is who imports it (the exchanges' declarer). */
function importDefinitions(ctx: MgmtContext, user: string, doc: Record<string, unknown>, only?: string): void {
  const b = ctx.broker;
  const vhostFor = (o: Record<string, unknown>, where: string): Vhost => {
    const name = only ?? str(o, 'vhost', where);
    const v = b.vhosts.get(name);
    if (!v) throw badRequest(`${where}: vhost '${name}' does not exist`);
    return v;
  };
  if (only === undefined) {
    // exports before 3.6.1 name no algorithm, and RabbitMQ before 3.6 hashed with MD5
    const legacy = typeof doc['rabbit_version'] === 'string' && /^3\.[0-5]\./.test(doc['rabbit_version']) ? 'rabbit_password_hashing_md5' : undefined;
    for (const u of list(doc, 'users')) {
      const name = str(u, 'name', 'user');
      const tags = parseTags(u['tags']);
      if (typeof u['password'] === 'string') b.addUser(name, u['password'], tags);
      else b.importUser(name, str(u, 'password_hash', `user '${name}'`), tags, parseHashing(u['hashing_algorithm'], legacy));
    }
    for (const v of list(doc, 'vhosts')) {
      const name = str(v, 'name', 'vhost');
      const metadata = v['metadata'] === undefined ? undefined : objectBody(v['metadata']);
      b.addVhost(name, metadata && { description: optionalString(metadata, 'description', ''), tags: parseTags(metadata['tags']) });
    }
    for (const p of list(doc, 'permissions')) {
      const where = `permission for '${String(p['user'])}'`;
      b.setPermission(str(p, 'vhost', where), str(p, 'user', where), new Permission(str(p, 'configure', where), str(p, 'write', where), str(p, 'read', where)));
    }
    for (const p of list(doc, 'topic_permissions')) {
      const where = `topic permission for '${String(p['user'])}'`;
      const vhost = vhostFor(p, where).name;
      b.topicPermissions.set(new TopicPermission(vhost, str(p, 'user', where), str(p, 'exchange', where), str(p, 'write', where), str(p, 'read', where)));
    }
  }
  try {
    for (const x of list(doc, 'exchanges')) {
      const name = str(x, 'name', 'exchange');
      vhostFor(x, `exchange '${name}'`).declareExchange({
        name,
        type: str(x, 'type', `exchange '${name}'`),
        passive: false,
        durable: x['durable'] !== false,
        autoDelete: x['auto_delete'] === true,
        internal: x['internal'] === true,
        arguments: jsonToTable(x['arguments'], `exchange '${name}' arguments`),
        declaredBy: user,
      });
    }
    for (const q of list(doc, 'queues')) {
      const name = str(q, 'name', 'queue');
      vhostFor(q, `queue '${name}'`).declareQueue(
        { name, passive: false, durable: q['durable'] !== false, exclusive: false, autoDelete: q['auto_delete'] === true, arguments: jsonToTable(q['arguments'], `queue '${name}' arguments`) },
        null,
      );
    }
    for (const bd of list(doc, 'bindings')) {
      const where = `binding from '${String(bd['source'])}'`;
      const v = vhostFor(bd, where);
      const destName = str(bd, 'destination', where);
      const dest = bd['destination_type'] === 'exchange' ? v.exchanges.get(destName) : v.queues.get(destName);
      if (!dest) throw badRequest(`${where}: destination '${destName}' does not exist`);
      v.bind(str(bd, 'source', where), dest, typeof bd['routing_key'] === 'string' ? bd['routing_key'] : '', jsonToTable(bd['arguments'], `${where} arguments`));
    }
  } catch (e) {
    throw e instanceof AmqpError ? badRequest(e.replyText) : e;
  }
  for (const p of list(doc, 'policies')) {
    const name = str(p, 'name', 'policy');
    putPolicy(ctx, 'policy', vhostFor(p, `policy '${name}'`).name, name, p);
  }
  for (const p of list(doc, 'parameters')) {
    const name = str(p, 'name', 'parameter');
    putParameter(ctx, vhostFor(p, `parameter '${name}'`), str(p, 'component', `parameter '${name}'`), name, p['value']);
  }
}

export function definitionRoutes(r: Router, ctx: MgmtContext): void {
  const b = ctx.broker;
  r.add('GET', '/api/definitions', 'administrator', () => ({
    rabbit_version: VERSION,
    product_name: 'Warren',
    product_version: VERSION,
    users: [...b.users.values()].map(userJson),
    vhosts: [...b.vhosts.keys()].map((name) => ({ name, limits: [], metadata: b.vhostMetadata.get(name) ?? NO_METADATA })),
    permissions: [...b.permissions].flatMap(([vhost, m]) => [...m].map(([user, p]) => ({ user, vhost, configure: p.configure, write: p.write, read: p.read }))),
    topic_permissions: b.topicPermissions.all().map(topicPermissionJson),
    global_parameters: [],
    ...vhostDefinitions([...b.vhosts.values()], true),
  }));
  r.add('GET', '/api/definitions/{vhost}', 'administrator', (req) => {
    // RabbitMQ's export of a missing vhost fails as a bad request, not as a missing object
    const v = vhostOr(ctx, req.params['vhost']!, () => badRequest('vhost_not_found'));
    return { rabbit_version: VERSION, ...vhostDefinitions([v], false) };
  });
  r.add('POST', '/api/definitions', 'administrator', async (req) => {
    importDefinitions(ctx, req.user.name, objectBody(await req.body()));
    return undefined;
  });
  r.add('POST', '/api/definitions/{vhost}', 'administrator', async (req) => {
    const v = vhostToWrite(ctx, req.params['vhost']!);
    importDefinitions(ctx, req.user.name, objectBody(await req.body()), v.name);
    return undefined;
  });
}
