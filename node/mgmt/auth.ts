import type { IncomingMessage } from 'node:http';
import type { Broker } from '../broker/broker.js';
import type { User, UserTag } from '../broker/users.js';
import { forbidden, LoginFailed, unauthorized } from './http-error.js';

/** RabbitMQ's management tags, each including the powers of those before it. */
const RANK: Record<UserTag, number> = { impersonator: 0, management: 1, policymaker: 2, monitoring: 3, administrator: 4 };

/** Tags other than the five grant nothing here (RabbitMQ keeps them for plugins and tools). */
export function rank(user: User): number {
  return Math.max(0, ...user.tags.map((t) => (Object.hasOwn(RANK, t) ? RANK[t as UserTag] : 0)));
}

/** HTTP basic auth against the broker's users; users without a management tag may not use the API. */
export function authenticate(req: IncomingMessage, broker: Broker): User {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) throw new LoginFailed();
  const text = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const user = colon < 0 ? null : broker.authenticate(text.slice(0, colon), text.slice(colon + 1));
  if (!user) throw new LoginFailed();
  if (!hasTag(user, 'management')) throw unauthorized('Not management user');
  return user;
}

export const hasTag = (user: User, tag: UserTag): boolean => rank(user) >= RANK[tag];

export function requireTag(user: User, tag: UserTag): void {
  if (!hasTag(user, tag)) throw forbidden(`user '${user.name}' needs the '${tag}' tag`);
}

/** Monitoring and administrator users see every vhost; others only those they have permissions in. */
export function canSeeVhost(broker: Broker, user: User, vhost: string): boolean {
  return rank(user) >= RANK.monitoring || broker.permission(vhost, user.name) !== undefined;
}
