import { setVhostLimits, vhostLimits, type Limits } from '../../broker/limits.js';
import { seesVhost, vhostOf, vhostToWrite, type MgmtContext } from '../context.js';
import { badRequest, notFound, unauthorized } from '../http-error.js';
import { parseLimits } from '../limits-json.js';
import { BY_VHOST_NAME, type ListOrder } from '../list-order.js';
import { upsert, type Router } from '../router.js';
import { objectBody } from './body.js';
import { requireKeys } from './required-keys.js';

const BY_USER: ListOrder = ['user'];

const some = (limits: Limits): boolean => Object.keys(limits).length > 0;

/** The one limit a PUT sets, checked as the whole set would be. */
async function oneLimit(kind: 'vhost' | 'user', name: string, body: Promise<unknown>): Promise<Limits> {
  const o = objectBody(await body);
  requireKeys(o, ['value']);
  return parseLimits(kind, { [name]: o['value'] });
}

function without(limits: Limits, name: string): Limits {
  const { [name]: _removed, ...rest } = limits;
  return rest;
}

/**
 * Vhost limits (max-connections, max-queues) and user limits (max-connections, max-channels), as RabbitMQ's
 * /api/vhost-limits and /api/user-limits show and set them: lists of { vhost | user, value }, a PUT of
 * { value } per limit (204 even when it is new, as RabbitMQ answers), a DELETE per limit.
 */
export function limitRoutes(r: Router, ctx: MgmtContext): void {
  const b = ctx.broker;
  r.list('/api/vhost-limits', 'management', BY_VHOST_NAME, (req) =>
    [...b.vhosts.values()].filter((v) => some(vhostLimits(v)) && seesVhost(ctx, req.user, v.name)).map((v) => ({ vhost: v.name, value: vhostLimits(v) })),
  );
  r.list('/api/vhost-limits/{vhost}', 'management', BY_VHOST_NAME, (req) => {
    const v = vhostOf(ctx, req.params['vhost']!);
    if (!seesVhost(ctx, req.user, v.name)) throw unauthorized('User not authorised to access virtual host');
    return some(vhostLimits(v)) ? [{ vhost: v.name, value: vhostLimits(v) }] : [];
  });
  r.put('/api/vhost-limits/{vhost}/{name}', 'administrator', async (req) => {
    const v = vhostToWrite(ctx, req.params['vhost']!);
    setVhostLimits(v, { ...vhostLimits(v), ...(await oneLimit('vhost', req.params['name']!, req.body())) });
    return upsert(true);
  });
  r.add('DELETE', '/api/vhost-limits/{vhost}/{name}', 'administrator', (req) => {
    const v = vhostToWrite(ctx, req.params['vhost']!);
    setVhostLimits(v, without(vhostLimits(v), req.params['name']!));
    return undefined;
  });

  r.list('/api/user-limits', 'management', BY_USER, () => b.userLimits.all().map(([user, value]) => ({ user, value })));
  r.list('/api/user-limits/{user}', 'management', BY_USER, (req) => {
    const user = req.params['user']!;
    if (!b.users.has(user)) throw notFound();
    const value = b.userLimits.of(user);
    return some(value) ? [{ user, value }] : [];
  });
  r.put('/api/user-limits/{user}/{name}', 'administrator', async (req) => {
    const user = req.params['user']!;
    const limit = await oneLimit('user', req.params['name']!, req.body());
    if (!b.users.has(user)) throw badRequest(['no_such_user', user]);
    b.userLimits.set(user, { ...b.userLimits.of(user), ...limit });
    return upsert(true);
  });
  r.add('DELETE', '/api/user-limits/{user}/{name}', 'administrator', (req) => {
    const user = req.params['user']!;
    // RabbitMQ answers 500 for a missing user
    if (!b.users.has(user)) throw notFound();
    b.userLimits.set(user, without(b.userLimits.of(user), req.params['name']!));
    return undefined;
  });
}
