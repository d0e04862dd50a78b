import type { Exchange } from '../broker/exchange.js';
import type { Access, Permission } from '../broker/permissions.js';
import type { TopicAccess, TopicPermissions } from '../broker/topic-permissions.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import { vhostOf, type MgmtContext } from './context.js';
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
   * The user's access to a vhost: 404 if it does not exist; 401 if the user has no permission there.
   * Only administrators get this far without one (the routes' 'vhost' guard refuses anyone else), and
   * RabbitMQ refuses them the channel.
   */
  static of(ctx: MgmtContext, user: User, vhost: string): UserAccess {
    const v = vhostOf(ctx, vhost);
    const permission = ctx.broker.permission(vhost, user.name);
    if (!permission) throw unauthorized('Access refused.');
    return new UserAccess(v, user.name, permission, ctx.broker.topicPermissions);
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
