import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import type { DefinitionRecord, DefinitionsSink } from '../store/definitions-store.js';
import type { Exchange } from './exchange.js';

export type TopicAccess = 'write' | 'read';

/**
 * RabbitMQ's topic authorisation for one user on one topic exchange of a vhost: the routing key of a
 * publish must match `write`, the binding key of a bind or unbind `read`.
 */
export class TopicPermission {
  private readonly re: Record<TopicAccess, RegExp>;

  constructor(
    readonly vhost: string,
    readonly user: string,
    readonly exchange: string,
    readonly write: string,
    readonly read: string,
  ) {
    this.re = { write: compile(write, user, vhost), read: compile(read, user, vhost) };
  }

  allows(access: TopicAccess, routingKey: string): boolean {
    return this.re[access].test(routingKey);
  }
}

/**
 * `{username}` and `{vhost}` stand for the user's and the vhost's names, put in as they are (RabbitMQ does
 * not escape them); an empty pattern matches only the empty key. A pattern the names make invalid matches
 * nothing rather than failing every publish.
 */
function compile(pattern: string, user: string, vhost: string): RegExp {
  const expanded = pattern.replaceAll('{username}', user).replaceAll('{vhost}', vhost);
  try {
    return new RegExp(expanded === '' ? '^$' : expanded);
  } catch {
    return /(?!)/;
  }
}

/**
 * Every topic permission, by vhost, user and exchange. Changes are durable definitions; those that go
 * with a deleted vhost or user are not recorded apart (the deletion's own record implies them).
 */
export class TopicPermissions {
  private readonly byVhost = new Map<string, Map<string, Map<string, TopicPermission>>>();
  private count = 0;

  constructor(private readonly sink: DefinitionsSink) {}

  /** Nobody has a topic permission: nothing to check (the common case costs one comparison). */
  get empty(): boolean {
    return this.count === 0;
  }

  set(p: TopicPermission): void {
    let users = this.byVhost.get(p.vhost);
    if (!users) this.byVhost.set(p.vhost, (users = new Map()));
    let exchanges = users.get(p.user);
    if (!exchanges) users.set(p.user, (exchanges = new Map()));
    if (!exchanges.has(p.exchange)) this.count++;
    exchanges.set(p.exchange, p);
    this.sink.record(record(p));
  }

  /** Removes all of a user's topic permissions in a vhost, as RabbitMQ's DELETE does. */
  clear(vhost: string, user: string): boolean {
    if (!this.drop(vhost, user)) return false;
    this.sink.record({ op: 'topic-permission-delete', vhost, user });
    return true;
  }

  forgetVhost(vhost: string): void {
    for (const user of [...(this.byVhost.get(vhost)?.keys() ?? [])]) this.drop(vhost, user);
  }

  forgetUser(user: string): void {
    for (const vhost of this.byVhost.keys()) this.drop(vhost, user);
  }

  of(vhost: string, user: string): TopicPermission[] {
    return [...(this.byVhost.get(vhost)?.get(user)?.values() ?? [])];
  }

  all(): TopicPermission[] {
    return [...this.byVhost.values()].flatMap((users) => [...users.values()].flatMap((exchanges) => [...exchanges.values()]));
  }

  /**
   * Throws 403 if the user has a topic permission on this exchange that the key does not match. Only
   * topic exchanges are checked, as in RabbitMQ.
   */
  authorize(x: Exchange, user: string, routingKey: string, access: TopicAccess): void {
    if (x.options.type !== 'topic') return;
    const p = this.byVhost.get(x.vhost)?.get(user)?.get(x.name);
    if (p && !p.allows(access, routingKey)) {
      throw new AmqpError(ReplyCode.AccessRefused, `access to topic '${routingKey}' in exchange '${x.name}' in vhost '${x.vhost}' refused for user '${user}'`);
    }
  }

  snapshot(): DefinitionRecord[] {
    return this.all().map(record);
  }

  private drop(vhost: string, user: string): boolean {
    const users = this.byVhost.get(vhost);
    const exchanges = users?.get(user);
    if (!users || !exchanges) return false;
    this.count -= exchanges.size;
    users.delete(user);
    if (users.size === 0) this.byVhost.delete(vhost);
    return true;
  }
}

function record(p: TopicPermission): DefinitionRecord {
  return { op: 'topic-permission', vhost: p.vhost, user: p.user, exchange: p.exchange, write: p.write, read: p.read };
}
