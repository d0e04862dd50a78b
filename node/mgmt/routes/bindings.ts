import type { ServerResponse } from 'node:http';
import type { BindingDestination } from '../../broker/binding.js';
import type { Vhost } from '../../broker/vhost.js';
import { propertiesKey } from '../binding-key.js';
import { asHttp, vhostOf, visibleVhosts, type MgmtContext } from '../context.js';
import { notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import type { Request, Router } from '../router.js';
import { bindingJson } from '../shapes.js';
import { objectBody, optionalString } from './body.js';

type Kind = 'q' | 'e';

function destination(v: Vhost, kind: Kind, name: string): BindingDestination {
  const d = kind === 'q' ? v.queues.get(name) : v.exchanges.get(name);
  if (!d) throw notFound();
  return d;
}

/** The last segment of the request path, as the client wrote it. */
function lastRawSegment(req: Request): string {
  return (req.raw.url ?? '').split('?')[0]!.split('/').filter(Boolean).at(-1) ?? '';
}

export function bindingRoutes(r: Router, ctx: MgmtContext): void {
  const list = (req: Request) =>
    visibleVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [...v.exchanges.values()].flatMap((x) => [...x.bindings.values()].map(bindingJson)));
  r.add('GET', '/api/bindings', 'management', list);
  r.add('GET', '/api/bindings/{vhost}', 'management', list);

  for (const kind of ['q', 'e'] as const) {
    const base = `/api/bindings/{vhost}/e/{source}/${kind}/{dest}`;
    const between = (req: Request) => {
      const v = vhostOf(ctx, req.user, req.params['vhost']!);
      const x = v.exchanges.get(req.params['source']!);
      if (!x) throw notFound();
      const d = destination(v, kind, req.params['dest']!);
      return { v, x, d, bindings: [...x.bindings.values()].filter((b) => b.destination === d) };
    };
    r.add('GET', base, 'management', (req) => between(req).bindings.map(bindingJson));
    r.add('POST', base, 'management', async (req, res: ServerResponse) => {
      const { v, x, d } = between(req);
      const body = objectBody(await req.body());
      const routingKey = optionalString(body, 'routing_key', '');
      const args = jsonToTable(body['arguments']);
      try {
        v.bind(x.name, d, routingKey, args);
      } catch (e) {
        throw asHttp(e);
      }
      res.statusCode = 201;
      // relative to the request URL, as RabbitMQ sends it: "<destination>/<properties key, URL-encoded>"
      res.setHeader('Location', `${lastRawSegment(req)}/${encodeURIComponent(propertiesKey(routingKey, args))}`);
      return undefined;
    });
    const one = (req: Request) => {
      const found = between(req);
      const b = found.bindings.find((b) => propertiesKey(b.routingKey, b.arguments) === req.params['props']);
      if (!b) throw notFound();
      return { ...found, b };
    };
    r.add('GET', `${base}/{props}`, 'management', (req) => bindingJson(one(req).b));
    r.add('DELETE', `${base}/{props}`, 'management', (req) => {
      const { v, x, d, b } = one(req);
      v.unbind(x.name, d, b.routingKey, b.arguments);
      return undefined;
    });
  }
}
