import type { Logger } from 'pino';
import type { AmqpServer } from '../amqp/server.js';
import type { Broker } from '../broker/broker.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { NodeConfig } from '../config.js';
import { canSeeVhost } from './auth.js';
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

export function vhostOf(ctx: MgmtContext, user: User, name: string): Vhost {
  const v = ctx.broker.vhosts.get(name);
  if (!v || !canSeeVhost(ctx.broker, user, name)) throw notFound();
  return v;
}

/** The vhosts a user may see, optionally narrowed to one (404 if that one is not visible). */
export function visibleVhosts(ctx: MgmtContext, user: User, only?: string): Vhost[] {
  if (only !== undefined) return [vhostOf(ctx, user, only)];
  return [...ctx.broker.vhosts.values()].filter((v) => canSeeVhost(ctx.broker, user, v.name));
}
