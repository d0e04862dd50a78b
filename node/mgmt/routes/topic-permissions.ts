import { TopicPermission } from '../../broker/topic-permissions.js';
import type { MgmtContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { PERMISSIONS } from '../list-order.js';
import { upsert, type Router } from '../router.js';
import { objectBody, regexString } from './body.js';

export function topicPermissionJson(p: TopicPermission): Record<string, unknown> {
  return { user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read };
}

/** Topic permissions (RabbitMQ's topic authorisation): one per user, vhost and topic exchange. */
export function topicPermissionRoutes(r: Router, ctx: MgmtContext): void {
  const topics = ctx.broker.topicPermissions;
  r.list('/api/topic-permissions', 'administrator', PERMISSIONS, () => topics.all().map(topicPermissionJson));
  r.list('/api/vhosts/{vhost}/topic-permissions', 'administrator', PERMISSIONS, (req) => {
    if (!ctx.broker.vhosts.has(req.params['vhost']!)) throw notFound();
    return topics.all().filter((p) => p.vhost === req.params['vhost']).map(topicPermissionJson);
  });
  r.list('/api/users/{user}/topic-permissions', 'administrator', PERMISSIONS, (req) => {
    if (!ctx.broker.users.has(req.params['user']!)) throw notFound();
    return topics.all().filter((p) => p.user === req.params['user']).map(topicPermissionJson);
  });
  r.add('GET', '/api/topic-permissions/{vhost}/{user}', 'administrator', (req) => {
    const found = topics.of(req.params['vhost']!, req.params['user']!);
    if (found.length === 0) throw notFound();
    return found.map(topicPermissionJson);
  });
  // RabbitMQ's object is the user's topic permissions in the vhost: 201 for the first, 204 for more
  r.put('/api/topic-permissions/{vhost}/{user}', 'administrator', async (req) => {
    const body = objectBody(await req.body());
    const { vhost, user } = req.params as { vhost: string; user: string };
    if (!ctx.broker.vhosts.has(vhost) || !ctx.broker.users.has(user)) throw badRequest('vhost_or_user_not_found');
    const exchange = body['exchange'];
    if (typeof exchange !== 'string') throw badRequest('exchange must be a string');
    const existed = topics.of(vhost, user).length > 0;
    topics.set(new TopicPermission(vhost, user, exchange, regexString(body, 'write'), regexString(body, 'read')));
    return upsert(existed);
  });
  // all of the user's topic permissions in the vhost, as RabbitMQ's DELETE removes them
  r.add('DELETE', '/api/topic-permissions/{vhost}/{user}', 'administrator', (req) => {
    if (!topics.clear(req.params['vhost']!, req.params['user']!)) throw notFound();
    return undefined;
  });
}
