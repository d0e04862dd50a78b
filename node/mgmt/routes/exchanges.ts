import { Admissions, routeSettled } from '../../broker/admissions.js';
import { Message } from '../../broker/message.js';
import type { Queue } from '../../broker/queue.js';
import { asHttp, vhostOf, visibleVhosts, type MgmtContext } from '../context.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import type { Request, Router } from '../router.js';
import { bindingJson, exchangeDetailJson, exchangeJson } from '../shapes.js';
import { objectBody, optionalBool, optionalString } from './body.js';
import { propertiesFromJson } from './messages.js';

export function exchangeRoutes(r: Router, ctx: MgmtContext): void {
  const list = (req: Request) =>
    visibleVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [...v.exchanges.values()].map((x) => exchangeJson(x, ctx.rates)));
  r.add('GET', '/api/exchanges', 'management', list);
  r.add('GET', '/api/exchanges/{vhost}', 'management', list);

  const exchange = (req: Request) => {
    const v = vhostOf(ctx, req.user, req.params['vhost']!);
    // the API names the default exchange 'amq.default', as RabbitMQ's does
    const name = req.params['name'] === 'amq.default' ? '' : req.params['name']!;
    const x = v.exchanges.get(name);
    if (!x) throw notFound();
    return { v, x };
  };
  r.add('GET', '/api/exchanges/{vhost}/{name}', 'management', (req) => exchangeDetailJson(exchange(req).x, ctx.rates));
  r.add('PUT', '/api/exchanges/{vhost}/{name}', 'management', async (req) => {
    const v = vhostOf(ctx, req.user, req.params['vhost']!);
    const body = objectBody(await req.body());
    try {
      v.declareExchange({
        name: req.params['name']!,
        type: optionalString(body, 'type', 'direct'),
        passive: false,
        durable: optionalBool(body, 'durable', true),
        autoDelete: optionalBool(body, 'auto_delete', false),
        internal: optionalBool(body, 'internal', false),
        arguments: jsonToTable(body['arguments']),
      });
    } catch (e) {
      throw asHttp(e);
    }
    return undefined;
  });
  r.add('DELETE', '/api/exchanges/{vhost}/{name}', 'management', (req) => {
    const { v, x } = exchange(req);
    try {
      v.deleteExchange(x.name, req.query.get('if-unused') === 'true');
    } catch (e) {
      throw asHttp(e);
    }
    return undefined;
  });
  r.add('GET', '/api/exchanges/{vhost}/{name}/bindings/source', 'management', (req) => [...exchange(req).x.bindings.values()].map(bindingJson));
  r.add('GET', '/api/exchanges/{vhost}/{name}/bindings/destination', 'management', (req) => [...exchange(req).x.inbound].map(bindingJson));

  r.add('POST', '/api/exchanges/{vhost}/{name}/publish', 'management', async (req) => {
    const { v, x } = exchange(req);
    const body = objectBody(await req.body());
    const payload = optionalString(body, 'payload', '');
    const encoding = optionalString(body, 'payload_encoding', 'string');
    if (encoding !== 'string' && encoding !== 'base64') throw badRequest(`payload_encoding must be string or base64`);
    const routingKey = optionalString(body, 'routing_key', '');
    const msg = Message.fromProperties(x.name, routingKey, propertiesFromJson(body['properties']), Buffer.from(payload, encoding === 'base64' ? 'base64' : 'utf8'));
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
