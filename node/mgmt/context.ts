import type { Logger } from 'pino';
import type { AmqpServer } from '../amqp/server.js';
import type { Broker } from '../broker/broker.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { NodeConfig } from '../config.js';
import { hasPermissions, hasTag } from './auth.js';
import { notFound } from './http-error.js';
import type { Rates } from './rates.js';

/** What the API handlers work with. */
export interface MgmtContext {
  readonly broker: Broker;
  readonly amqp: AmqpServer;
  readonly config: NodeConfig;
  readonly node: string;
  readonly rates: Rates;
  readonly log: Logger;
  readonly startedAt: number;
  /** The management port actually listened on. */
  mgmtPort(): number;
}

/** The vhost named, or 404. Who may see it is the route's guard's to say. */
export function vhostOf(ctx: MgmtContext, name: string): Vhost {
  const v = ctx.broker.vhosts.get(name);
  if (!v) throw notFound();
  return v;
}

/**
 * The vhosts whose objects a list shows, as RabbitMQ filters them: the one the path names (404 if
 * missing; the route's guard has let the user in), else every vhost for an administrator, and only
 * those the user has permissions in for anyone else, monitoring users too.
 */
export function listedVhosts(ctx: MgmtContext, user: User, only?: string): Vhost[] {
  if (only !== undefined) return [vhostOf(ctx, only)];
  const all = hasTag(user, 'administrator');
  return [...ctx.broker.vhosts.values()].filter((v) => all || hasPermissions(ctx.broker, user, v.name));
}
