import type { ServerResponse } from 'node:http';
import type { BindingDestination } from '../../broker/binding.js';
import type { Vhost } from '../../broker/vhost.js';
import { asHttp, vhostOf, visibleVhosts, type MgmtContext } from '../context.js';
import { notFound } from '../http-error.js';
import { jsonToTable } from '../json-args.js';
import type { Request, Router } from '../router.js';
import { bindingJson, propertiesKey } from '../shapes.js';
import { objectBody, optionalString } from './body.js';

type Kind = 'q' | 'e';

function destination(v: Vhost, kind: Kind, name: string): BindingDestination {
  const d = kind === 'q' ? v.queues.get(name) : v.exchanges.get(name);
  if (!d) throw notFound();
  return d;
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
      const b = [...x.bindings.values()].find((b) => b.destination === d && b.routingKey === routingKey && JSON.stringify(b.arguments) === JSON.stringify(args));
      res.statusCode = 201;
      if (b) res.setHeader('Location', encodeURIComponent(propertiesKey(b)));
      return undefined;
    });
    const one = (req: Request) => {
      const found = between(req);
      const b = found.bindings.find((b) => propertiesKey(b) === req.params['props']);
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
