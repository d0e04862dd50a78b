import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import type { DefinitionRecord, DefinitionsSink } from '../store/definitions-store.js';
import type { User } from './users.js';
import type { Vhost } from './vhost.js';

/** Limits by name (max-connections, ...), as RabbitMQ keeps them; a negative value is no limit. */
export type Limits = Readonly<Record<string, number>>;

/** The limits RabbitMQ 3.10 has for a vhost and for a user. */
export const VHOST_LIMIT_NAMES: readonly string[] = ['max-connections', 'max-queues'];
export const USER_LIMIT_NAMES: readonly string[] = ['max-connections', 'max-channels'];

/**
 * RabbitMQ keeps a vhost's limits as its runtime parameter vhost-limits/limits, which is how its
 * /api/parameters and its definitions show them; Warren keeps them there too.
 */
export const VHOST_LIMITS = { component: 'vhost-limits', name: 'limits' } as const;

export const vhostLimits = (v: Vhost): Limits => (v.parameters.get(VHOST_LIMITS.component)?.get(VHOST_LIMITS.name) as Limits | undefined) ?? {};

/** Replaces a vhost's limits; none clears the parameter, as RabbitMQ's clear_limit does for the last one. */
export function setVhostLimits(v: Vhost, limits: Limits): void {
  if (Object.keys(limits).length > 0) v.setParameter(VHOST_LIMITS.component, VHOST_LIMITS.name, limits);
  else v.clearParameter(VHOST_LIMITS.component, VHOST_LIMITS.name);
}

/** The limit in force: null when it is not set or negative. */
export function limitOf(limits: Limits, name: string): number | null {
  const n = limits[name];
  return n === undefined || n < 0 ? null : n;
}

/** Every user's limits. Changes are durable definitions; a deleted user's go with its deletion's record. */
export class UserLimits {
  private readonly byUser = new Map<string, Limits>();

  constructor(private readonly sink: DefinitionsSink) {}

  of(user: string): Limits {
    return this.byUser.get(user) ?? {};
  }

  /** Replaces a user's limits; none clears them. */
  set(user: string, limits: Limits): void {
    const none = Object.keys(limits).length === 0;
    if (none && !this.byUser.has(user)) return;
    if (none) this.byUser.delete(user);
    else this.byUser.set(user, limits);
    this.sink.record({ op: 'user-limits', user, limits });
  }

  forget(user: string): void {
    this.byUser.delete(user);
  }

  all(): [string, Limits][] {
    return [...this.byUser];
  }

  snapshot(): DefinitionRecord[] {
    return this.all().map(([user, limits]) => ({ op: 'user-limits', user, limits }));
  }
}

/** What the checks count of an AMQP connection. */
export interface Session {
  readonly user: User | null;
  /** Set once connection.open succeeded. */
  readonly vhost: Vhost | null;
  readonly channelCount: number;
}

function count<T>(items: Iterable<T>, size: (item: T) => number): number {
  let n = 0;
  for (const item of items) n += size(item);
  return n;
}

/** connection.open: the vhost's connection limit, then the user's, both before permissions (RabbitMQ's order). */
export function checkConnectionLimits(users: UserLimits, sessions: Iterable<Session>, vhost: Vhost, user: string): void {
  const perVhost = limitOf(vhostLimits(vhost), 'max-connections');
  if (perVhost !== null && count(sessions, (s) => (s.vhost === vhost ? 1 : 0)) >= perVhost) {
    throw new AmqpError(ReplyCode.NotAllowed, `access to vhost '${vhost.name}' refused for user '${user}': connection limit (${perVhost}) is reached`);
  }
  const perUser = limitOf(users.of(user), 'max-connections');
  if (perUser !== null && count(sessions, (s) => (s.vhost !== null && s.user?.name === user ? 1 : 0)) >= perUser) {
    throw new AmqpError(ReplyCode.NotAllowed, `connection refused for user '${user}': user connection limit (${perUser}) is reached`);
  }
}

/** A new channel: the user's channel limit counts its channels on all its connections; RabbitMQ then closes the connection. */
export function checkChannelLimit(users: UserLimits, sessions: Iterable<Session>, user: string): void {
  const max = limitOf(users.of(user), 'max-channels');
  if (max === null) return;
  if (count(sessions, (s) => (s.user?.name === user ? s.channelCount : 0)) >= max) {
    throw new AmqpError(ReplyCode.NotAllowed, `number of channels opened for user '${user}' has reached the maximum allowed user limit of (${max})`);
  }
}

/** A queue about to be created (not one redeclared): the vhost's queue limit, before its arguments are checked. */
export function checkQueueLimit(v: Vhost, queue: string): void {
  const max = limitOf(vhostLimits(v), 'max-queues');
  if (max !== null && v.queues.size >= max) {
    throw new AmqpError(ReplyCode.PreconditionFailed, `cannot declare queue '${queue}': queue limit in vhost '${v.name}' (${max}) is reached`);
  }
}
