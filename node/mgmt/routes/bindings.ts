import type { ServerResponse } from 'node:http';
import type { BindingDestination } from '../../broker/binding.js';
import { notFound as noSuch } from '../../broker/errors.js';
import type { Vhost } from '../../broker/vhost.js';
import { reported } from '../amqp-errors.js';
import { propertiesKey } from '../binding-key.js';
import { listedVhosts, vhostOf, vhostToWrite, type MgmtContext } from '../context.js';
import { notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import { BINDINGS } from '../list-order.js';
import type { Request, Router } from '../router.js';
import { bindingJson, defaultBindingJson } from '../shapes.js';
import { UserAccess } from '../user-access.js';
import { objectBody, optionalString } from './body.js';

type Kind = 'q' | 'e';
const KINDS = { q: 'queue', e: 'exchange' } as const;

function destination(v: Vhost, kind: Kind, name: string): BindingDestination | undefined {
  return kind === 'q' ? v.queues.get(name) : v.exchanges.get(name);
}

/** The last segment of the request path, as the client wrote it. */
function lastRawSegment(req: Request): string {
  return (req.raw.url ?? '').split('?')[0]!.split('/').filter(Boolean).at(-1) ?? '';
}

/**
 * queue.bind's and exchange.bind's checks (and their unbinds'), in RabbitMQ's order: write on the
 * destination, read on the source, the source's topic permission for the key; then the objects exist.
 */
function checkedDestination(access: UserAccess, source: string, kind: Kind, dest: string, routingKey: string): BindingDestination {
  const v = access.vhost;
  access.require('write', KINDS[kind], dest);
  access.require('read', 'exchange', source);
  const x = v.exchanges.get(source);
  if (x) access.requireTopic(x, routingKey, 'read');
  const d = destination(v, kind, dest);
  if (!x) throw noSuch('exchange', source, v.name);
  if (!d) throw noSuch(KINDS[kind], dest, v.name);
  return d;
}

export function bindingRoutes(r: Router, ctx: MgmtContext): void {
  const list = (req: Request) =>
    listedVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [
      ...[...v.queues.keys()].map((q) => defaultBindingJson(v.name, q)),
      ...[...v.exchanges.values()].flatMap((x) => [...x.bindings.values()].map(bindingJson)),
    ]);
  r.list('/api/bindings', 'vhost', BINDINGS, list);
  r.list('/api/bindings/{vhost}', 'vhost', BINDINGS, list);

  for (const kind of ['q', 'e'] as const) {
    const base = `/api/bindings/{vhost}/e/{source}/${kind}/{dest}`;
    /** The bindings between the two ends, as `v` has them: none when an end is missing, as RabbitMQ lists them. */
    const between = (v: Vhost | undefined, req: Request) => {
      const x = v?.exchanges.get(req.params['source']!);
      const d = v && destination(v, kind, req.params['dest']!);
      return [...(x?.bindings.values() ?? [])].filter((b) => d !== undefined && b.destination === d);
    };
    r.list(base, 'vhost', BINDINGS, (req) => between(ctx.broker.vhosts.get(req.params['vhost']!), req).map(bindingJson));
    r.add('POST', base, 'vhost', async (req, res: ServerResponse) => {
      const access = UserAccess.of(ctx, req.user, vhostToWrite(ctx, req.params['vhost']!));
      const body = objectBody(await req.body());
      const routingKey = optionalString(body, 'routing_key', '');
      const args = jsonToTable(body['arguments']);
      reported('direct', () => {
        const source = req.params['source']!;
        access.vhost.bind(source, checkedDestination(access, source, kind, req.params['dest']!, routingKey), routingKey, args);
      });
      res.statusCode = 201;
      // relative to the request URL, as RabbitMQ sends it: "<destination>/<properties key, URL-encoded>"
      res.setHeader('Location', `${lastRawSegment(req)}/${encodeURIComponent(propertiesKey(routingKey, args))}`);
      return undefined;
    });
    const one = (v: Vhost, req: Request) => {
      const b = between(v, req).find((b) => propertiesKey(b.routingKey, b.arguments) === req.params['props']);
      if (!b) throw notFound();
      return b;
    };
    r.add('GET', `${base}/{props}`, 'vhost', (req) => bindingJson(one(vhostOf(ctx, req.params['vhost']!), req)));
    r.add('DELETE', `${base}/{props}`, 'vhost', (req) => {
      const access = UserAccess.of(ctx, req.user, vhostOf(ctx, req.params['vhost']!));
      const b = one(access.vhost, req);
      reported('direct', () => {
        access.vhost.unbind(b.source.name, checkedDestination(access, b.source.name, kind, b.destination.name, b.routingKey), b.routingKey, b.arguments);
      });
      return undefined;
    });
  }
}
