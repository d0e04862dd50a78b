import { Admissions, routeSettled } from '../../broker/admissions.js';
import { notFound as noSuch } from '../../broker/errors.js';
import type { Exchange } from '../../broker/exchange.js';
import { Message } from '../../broker/message.js';
import type { Queue } from '../../broker/queue.js';
import { reported } from '../amqp-errors.js';
import { listedVhosts, vhostOf, vhostToWrite, type MgmtContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import { BINDINGS, BY_VHOST_NAME } from '../list-order.js';
import { upsert, type Request, type Router } from '../router.js';
import { bindingJson, exchangeDetailJson, exchangeJson } from '../shapes.js';
import { UserAccess } from '../user-access.js';
import { EXCHANGES } from '../without-stats.js';
import { objectBody, optionalBool, optionalString, stringValue } from './body.js';
import { propertiesFromJson } from './messages.js';
import { requireKeys } from './required-keys.js';

/** What a publish body must have, in the order RabbitMQ names the missing ones. */
const PUBLISH_KEYS = ['routing_key', 'properties', 'payload', 'payload_encoding'];

/** The API names the default exchange 'amq.default', as RabbitMQ's does. */
const exchangeName = (req: Request): string => (req.params['name'] === 'amq.default' ? '' : req.params['name']!);

/** basic.publish's checks, in its order: the write permission, the exchange, its topic permission. */
function publishTarget(access: UserAccess, name: string, routingKey: string): Exchange {
  access.require('write', 'exchange', name);
  const x = access.vhost.exchanges.get(name);
  if (!x) throw noSuch('exchange', name, access.vhost.name);
  access.requireTopic(x, routingKey, 'write');
  return x;
}

export function exchangeRoutes(r: Router, ctx: MgmtContext): void {
  const list = (req: Request) =>
    listedVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [...v.exchanges.values()].map((x) => exchangeJson(x, ctx.rates)));
  r.list('/api/exchanges', 'vhost', BY_VHOST_NAME, list, { paged: true, withoutStats: EXCHANGES });
  r.list('/api/exchanges/{vhost}', 'vhost', BY_VHOST_NAME, list, { paged: true, withoutStats: EXCHANGES });

  const exchange = (req: Request) => {
    const x = vhostOf(ctx, req.params['vhost']!).exchanges.get(exchangeName(req));
    if (!x) throw notFound();
    return x;
  };
  r.add('GET', '/api/exchanges/{vhost}/{name}', 'vhost', (req) => exchangeDetailJson(exchange(req), ctx.rates));
  r.put('/api/exchanges/{vhost}/{name}', 'vhost', async (req) => {
    const access = UserAccess.of(ctx, req.user, vhostToWrite(ctx, req.params['vhost']!));
    const body = objectBody(await req.body());
    const name = req.params['name']!;
    const existed = access.vhost.exchanges.has(name);
    const declare = {
      name,
      type: optionalString(body, 'type', 'direct'),
      passive: false,
      durable: optionalBool(body, 'durable', true),
      autoDelete: optionalBool(body, 'auto_delete', false),
      internal: optionalBool(body, 'internal', false),
      arguments: jsonToTable(body['arguments']),
      declaredBy: req.user.name,
    };
    reported('direct', () => {
      access.require('configure', 'exchange', name);
      access.vhost.declareExchange(declare);
    });
    return upsert(existed);
  });
  r.add('DELETE', '/api/exchanges/{vhost}/{name}', 'vhost', (req) => {
    const access = UserAccess.of(ctx, req.user, vhostOf(ctx, req.params['vhost']!));
    const x = access.vhost.exchanges.get(exchangeName(req));
    if (!x) throw notFound();
    reported('direct', () => {
      access.require('configure', 'exchange', x.name);
      access.vhost.deleteExchange(x.name, req.query.get('if-unused') === 'true');
    });
    return undefined;
  });
  // RabbitMQ lists a missing exchange's bindings (or a missing vhost's) as none
  const existing = (req: Request) => ctx.broker.vhosts.get(req.params['vhost']!)?.exchanges.get(exchangeName(req));
  r.list('/api/exchanges/{vhost}/{name}/bindings/source', 'vhost', BINDINGS, (req) => [...(existing(req)?.bindings.values() ?? [])].map(bindingJson));
  r.list('/api/exchanges/{vhost}/{name}/bindings/destination', 'vhost', BINDINGS, (req) => [...(existing(req)?.inbound ?? [])].map(bindingJson));

  r.add('POST', '/api/exchanges/{vhost}/{name}/publish', 'vhost', async (req) => {
    const body = objectBody(await req.body());
    // the body's keys before the user's access to the vhost, as RabbitMQ checks them
    requireKeys(body, PUBLISH_KEYS);
    const access = UserAccess.onChannel(ctx, req.user, req.params['vhost']!);
    const v = access.vhost;
    const payload = stringValue(body, 'payload');
    const encoding = stringValue(body, 'payload_encoding');
    if (encoding !== 'string' && encoding !== 'base64') throw badRequest(`payload_encoding must be string or base64`);
    const routingKey = stringValue(body, 'routing_key');
    const properties = propertiesFromJson(body['properties']);
    const x = reported('async', () => publishTarget(access, exchangeName(req), routingKey));
    const msg = Message.fromProperties(x.name, routingKey, properties, Buffer.from(payload, encoding === 'base64' ? 'base64' : 'utf8'));
    const keys = [routingKey];
    const headers = msg.properties.headers;
    const enqueue = (queues: readonly Queue[]): boolean => {
      v.enqueue(queues, msg);
      return queues.length > 0;
    };
    const queues = v.route(x, keys, headers);
    if (queues !== null) return { routed: enqueue(queues) };
    // the route meets a Redis-backed deduplication exchange: routed once Redis has answered
    const wait = ctx.config.dedupRedisUnavailable === 'wait';
    const routed = await routeSettled(v, x, keys, headers, new Admissions(wait), enqueue).catch((e: Error) => {
      throw new HttpError(503, 'service_unavailable', e.message);
    });
    return { routed: routed === true };
  });
}
