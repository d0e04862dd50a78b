import type { Exchange } from '../broker/exchange.js';
import type { Access, Permission } from '../broker/permissions.js';
import type { TopicAccess, TopicPermissions } from '../broker/topic-permissions.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { MgmtContext } from './context.js';
import { unauthorized } from './http-error.js';

/**
 * A user acting on a vhost's objects through the API. RabbitMQ's management plugin runs those operations
 * (declare, delete, bind, publish, get, purge) as AMQP methods on the user's behalf, so they are checked
 * as the methods are: configure, write and read patterns, and topic permissions. The checks throw the
 * AMQP errors; `reported` words them as the endpoint does.
 */
export class UserAccess {
  private constructor(
    readonly vhost: Vhost,
    private readonly user: string,
    private readonly permission: Permission,
    private readonly topics: TopicPermissions,
  ) {}

  /**
   * The user's access to a vhost the route has found (each route words a missing vhost as RabbitMQ's
   * does): 401 if the user has no permission there. Only administrators get this far without one (the
   * routes' 'vhost' guard refuses anyone else), and RabbitMQ refuses them the channel.
   */
  static of(ctx: MgmtContext, user: User, v: Vhost): UserAccess {
    const permission = ctx.broker.permission(v.name, user.name);
    if (!permission) throw unauthorized('Access refused.');
    return new UserAccess(v, user.name, permission, ctx.broker.topicPermissions);
  }

  /** As `of`, for endpoints RabbitMQ runs on a channel it opens (get, publish): opening one in a missing vhost is refused alike. */
  static onChannel(ctx: MgmtContext, user: User, vhost: string): UserAccess {
    const v = ctx.broker.vhosts.get(vhost);
    if (!v) throw unauthorized('Access refused.');
    return UserAccess.of(ctx, user, v);
  }

  /** Throws AMQP's 403 unless the user has this access to the named queue or exchange ('' is the default exchange). */
  require(access: Access, kind: 'queue' | 'exchange', name: string): void {
    this.permission.authorize(access, kind, name, this.vhost.name, this.user);
  }

  /** Throws AMQP's 403 if a topic permission of the user's on this exchange does not let this routing key through. */
  requireTopic(x: Exchange, routingKey: string, access: TopicAccess): void {
    this.topics.authorize(x, this.user, routingKey, access);
  }
}
