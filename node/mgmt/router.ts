import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User } from '../broker/users.js';
import type { Guard } from './guards.js';
import { withColumns } from './columns.js';
import type { ListItem, ListOrder } from './list-order.js';
import { listReply } from './list-query.js';
import { statsCut, type WithoutStats } from './without-stats.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface Request {
  readonly method: Method;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly user: User;
  /** The parsed JSON body (400 when it is not JSON). */
  body(): Promise<unknown>;
  readonly raw: IncomingMessage;
}

/** A handler's result: a JSON value (200, or 204 when undefined), or a full response it wrote itself. */
export type Handler = (req: Request, res: ServerResponse) => Promise<unknown> | unknown;

/** What a PUT did to the one object it names: RabbitMQ answers 201 when it created it, 204 when it existed. */
export type Upsert = 'created' | 'updated';
export const upsert = (existed: boolean): Upsert => (existed ? 'updated' : 'created');

/** A PUT: creates or replaces the object the path names, and says which. */
export type PutHandler = (req: Request) => Promise<Upsert>;

/** How a list answers its query parameters (list-query.ts), beyond sort and columns, which every list takes. */
export interface ListOptions {
  /** RabbitMQ pages only its big lists: the others ignore page, page_size, name and use_regex. */
  readonly paged?: boolean;
  readonly withoutStats?: WithoutStats;
}

interface Route {
  readonly method: Method;
  readonly parts: string[];
  readonly handler: Handler;
  /** Who may call it (guards.ts). */
  readonly guard: Guard;
}

/**
 * Routes on path segments; `{name}` segments are parameters, percent-decoded ('%2F' is the vhost '/'),
 * matched against the raw path so an encoded slash never splits a segment.
 */
export class Router {
  private readonly routes: Route[] = [];

  /** A GET answers only the `columns` the query names, and without statistics as `withoutStats` says. */
  add(method: Exclude<Method, 'PUT'>, pattern: string, guard: Guard, handler: Handler, withoutStats?: WithoutStats): this {
    if (method !== 'GET') return this.route(method, pattern, guard, handler);
    return this.route(method, pattern, guard, async (req, res) => {
      const cut = statsCut(withoutStats, req.query);
      const result = await handler(req, res);
      return withColumns(cut && typeof result === 'object' && result !== null ? cut(result) : result, req.query);
    });
  }

  /** A GET answering a list, in RabbitMQ's default order for it unless the query asks otherwise (list-query.ts). */
  list(pattern: string, guard: Guard, order: ListOrder, handler: (req: Request) => Promise<ListItem[]> | ListItem[], options: ListOptions = {}): this {
    return this.route('GET', pattern, guard, async (req) => {
      const cut = statsCut(options.withoutStats, req.query);
      const items = await handler(req);
      return listReply(cut ? items.map(cut) : items, order, req.query, options.paged ?? false);
    });
  }

  put(pattern: string, guard: Guard, handler: PutHandler): this {
    return this.route('PUT', pattern, guard, async (req, res) => {
      res.statusCode = (await handler(req)) === 'created' ? 201 : 204;
      return undefined;
    });
  }

  private route(method: Method, pattern: string, guard: Guard, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, guard });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: Method[] } | null {
    const segs = path.split('/').filter(Boolean);
    const allowed: Method[] = [];
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const p = r.parts[i]!;
        if (p.startsWith('{')) {
          try {
            params[p.slice(1, -1)] = decodeURIComponent(segs[i]!);
          } catch {
            ok = false;
          }
        } else ok = p === segs[i];
      }
      if (!ok) continue;
      if (r.method === method) return { route: r, params };
      allowed.push(r.method);
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}
