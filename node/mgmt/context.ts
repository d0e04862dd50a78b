import type { Logger } from 'pino';
import type { AmqpServer } from '../amqp/server.js';
import type { Broker } from '../broker/broker.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { NodeConfig } from '../config.js';
import { hasPermissions, hasTag } from './auth.js';
import { HttpError, notFound } from './http-error.js';
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

/** The vhost named, or the error `missing` makes: RabbitMQ's endpoints word a missing vhost differently. */
export function vhostOr(ctx: MgmtContext, name: string, missing: () => HttpError): Vhost {
  const v = ctx.broker.vhosts.get(name);
  if (!v) throw missing();
  return v;
}

/** The vhost named, or 404. Who may see it is the route's guard's to say. */
export const vhostOf = (ctx: MgmtContext, name: string): Vhost => vhostOr(ctx, name, notFound);

/**
 * The vhost a PUT or POST creates something in: RabbitMQ's handlers check it before reading the body,
 * and word a missing one otherwise than a missing object.
 */
export const vhostToWrite = (ctx: MgmtContext, name: string): Vhost => vhostOr(ctx, name, () => new HttpError(404, 'not_found', 'vhost_not_found'));

/** Whether /api/vhosts shows the user a vhost: RabbitMQ lets monitoring users see every vhost, others those they have permissions in. */
export const seesVhost = (ctx: MgmtContext, user: User, vhost: string): boolean => hasTag(user, 'monitoring') || hasPermissions(ctx.broker, user, vhost);

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
