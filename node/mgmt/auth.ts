import type { IncomingMessage } from 'node:http';
import type { Broker } from '../broker/broker.js';
import type { User, UserTag } from '../broker/users.js';
import { LoginFailed, unauthorized } from './http-error.js';

/** The tags that grant API rights. */
export type ApiTag = Exclude<UserTag, 'impersonator'>;

/**
 * What each tag lets a user do, as RabbitMQ's tags do: administrator everything; policymaker and
 * monitoring each add their own powers to management's, so a monitoring user may not set policies nor a
 * policymaker see other users' connections. Other tags (impersonator, any kept for plugins) grant nothing here.
 */
const GRANTS: Readonly<Record<string, readonly ApiTag[]>> = {
  administrator: ['administrator', 'monitoring', 'policymaker', 'management'],
  monitoring: ['monitoring', 'management'],
  policymaker: ['policymaker', 'management'],
  management: ['management'],
};

export const hasTag = (user: User, tag: ApiTag): boolean => user.tags.some((t) => Object.hasOwn(GRANTS, t) && GRANTS[t]!.includes(tag));

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

/** Whether the user has permissions in the vhost (RabbitMQ's "login vhosts"). */
export const hasPermissions = (broker: Broker, user: User, vhost: string): boolean => broker.permission(vhost, user.name) !== undefined;
