import type { Broker } from '../broker/broker.js';
import type { User } from '../broker/users.js';
import { hasPermissions, hasTag } from './auth.js';
import { unauthorized } from './http-error.js';

/**
 * Who may call an endpoint: RabbitMQ's management plugin checks it before it reads the request, and
 * refuses with 401 and the check's reason (no WWW-Authenticate: the user did log in). Each guard is one
 * of its checks:
 * - 'management' (is_authorized): any user who may log in to the API;
 * - 'vhost' (is_authorized_vhost): an administrator, or a user with permissions in the path's vhost;
 * - 'policies' (is_authorized_policies): an administrator, or a policymaker with permissions in the path's vhost;
 * - 'monitoring' (is_authorized_monitor) and 'administrator' (is_authorized_admin): users with that tag.
 */
export type Guard = 'management' | 'vhost' | 'policies' | 'monitoring' | 'administrator';

const REASONS: Readonly<Record<Exclude<Guard, 'management'>, string>> = {
  vhost: 'User not authorised to access virtual host',
  policies: 'User not authorised to access object',
  monitoring: 'Not monitor user',
  administrator: 'Not administrator user',
};

/** Throws the guard's 401 unless it lets the user in; `vhost` is the one the path names, if any. */
export function admit(broker: Broker, user: User, guard: Guard, vhost: string | undefined): void {
  if (guard === 'management' || hasTag(user, 'administrator')) return;
  // a path without a vhost, or naming one that does not exist, passes: the handler answers 404
  const inVhost = () => vhost === undefined || !broker.vhosts.has(vhost) || hasPermissions(broker, user, vhost);
  const admitted = guard === 'vhost' ? inVhost() : guard === 'policies' ? hasTag(user, 'policymaker') && inVhost() : hasTag(user, guard);
  if (!admitted) throw unauthorized(REASONS[guard]);
}
