import { Permission } from '../../broker/permissions.js';
import { DEFAULT_HASHING, isHashingAlgorithm, type HashingAlgorithm } from '../../broker/users.js';
import { seesVhost, vhostOf, type MgmtContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { BY_VHOST_NAME, PERMISSIONS } from '../list-order.js';
import { upsert, type Router } from '../router.js';
import { userJson } from '../shapes.js';
import { vhostClients, vhostWithStats } from '../vhost-stats.js';
import { VHOSTS } from '../without-stats.js';
import { objectBody, optionalString, regexString } from './body.js';

/**
 * User or vhost tags as RabbitMQ accepts them: a list or a comma-separated string. Any tag is kept, as
 * RabbitMQ 3.10 keeps them; only the management ones grant API rights.
 */
export function parseTags(v: unknown): string[] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === undefined ? [] : null;
  if (!list) throw badRequest('tags must be a list or a comma-separated string');
  return list.map((t) => String(t).trim()).filter(Boolean);
}

/** A user's hashing_algorithm (absent: `fallback`); 400 for one RabbitMQ does not have. */
export function parseHashing(v: unknown, fallback: HashingAlgorithm = DEFAULT_HASHING): HashingAlgorithm {
  if (v === undefined) return fallback;
  if (!isHashingAlgorithm(v)) throw badRequest(`unknown hashing_algorithm ${JSON.stringify(v)}`);
  return v;
}

function permissionJson(vhost: string, user: string, p: Permission): Record<string, unknown> {
  return { user, vhost, configure: p.configure, write: p.write, read: p.read };
}

/** Vhosts, users and permissions. */
export function accessRoutes(r: Router, ctx: MgmtContext): void {
  const b = ctx.broker;
  // monitoring users list every vhost, though other lists show them only the objects of their own
  r.list(
    '/api/vhosts',
    'management',
    BY_VHOST_NAME,
    (req) => {
      const clients = vhostClients(ctx);
      return [...b.vhosts.values()].filter((v) => seesVhost(ctx, req.user, v.name)).map((v) => vhostWithStats(ctx, v, clients));
    },
    { paged: true, withoutStats: VHOSTS },
  );
  r.add('GET', '/api/vhosts/{vhost}', 'administrator', (req) => vhostWithStats(ctx, vhostOf(ctx, req.params['vhost']!)), VHOSTS);
  // the body's description and tags replace the vhost's (an empty body clears them), as in RabbitMQ
  r.put('/api/vhosts/{vhost}', 'administrator', async (req) => {
    const body = objectBody(await req.body());
    const name = req.params['vhost']!;
    const existed = b.vhosts.has(name);
    b.addVhost(name, { description: optionalString(body, 'description', ''), tags: parseTags(body['tags']) });
    // RabbitMQ lets the user who creates a vhost do anything in it (and only then, not on an update)
    if (!existed) b.setPermission(name, req.user.name, new Permission('.*', '.*', '.*'));
    return upsert(existed);
  });
  r.add('DELETE', '/api/vhosts/{vhost}', 'administrator', (req) => {
    const name = req.params['vhost']!;
    if (!b.vhosts.has(name)) throw notFound();
    for (const c of ctx.amqp.connections) if (c.vhost?.name === name) c.forceClose(`vhost '${name}' is deleted`);
    b.deleteVhost(name);
    return undefined;
  });
  r.list('/api/vhosts/{vhost}/permissions', 'administrator', PERMISSIONS, (req) => {
    const v = vhostOf(ctx, req.params['vhost']!);
    return [...(b.permissions.get(v.name) ?? new Map<string, Permission>())].map(([u, p]) => permissionJson(v.name, u, p));
  });

  r.list('/api/users', 'administrator', BY_VHOST_NAME, () => [...b.users.values()].map((u) => userJson(u, b.userLimits.of(u.name))));
  r.add('GET', '/api/users/{user}', 'administrator', (req) => {
    const u = b.users.get(req.params['user']!);
    if (!u) throw notFound();
    return userJson(u, b.userLimits.of(u.name));
  });
  r.put('/api/users/{user}', 'administrator', async (req) => {
    const body = objectBody(await req.body());
    const name = req.params['user']!;
    const tags = parseTags(body['tags']);
    const existing = b.users.get(name);
    if (typeof body['password'] === 'string') b.addUser(name, body['password'], tags);
    else if (typeof body['password_hash'] === 'string') b.importUser(name, body['password_hash'], tags, parseHashing(body['hashing_algorithm']));
    // only tags: an existing user keeps its password; a new one has none, as RabbitMQ creates it
    else if (existing) b.importUser(name, existing.passwordHash, tags, existing.hashing);
    else b.importUser(name, '', tags);
    return upsert(existing !== undefined);
  });
  r.add('DELETE', '/api/users/{user}', 'administrator', (req) => {
    if (!b.deleteUser(req.params['user']!)) throw notFound();
    return undefined;
  });
  r.list('/api/users/{user}/permissions', 'administrator', PERMISSIONS, (req) => {
    const user = req.params['user']!;
    const out: ReturnType<typeof permissionJson>[] = [];
    for (const [vhost, perms] of b.permissions) {
      const p = perms.get(user);
      if (p) out.push(permissionJson(vhost, user, p));
    }
    return out;
  });

  r.list('/api/permissions', 'administrator', PERMISSIONS, () => {
    const out: ReturnType<typeof permissionJson>[] = [];
    for (const [vhost, perms] of b.permissions) for (const [user, p] of perms) out.push(permissionJson(vhost, user, p));
    return out;
  });
  r.add('GET', '/api/permissions/{vhost}/{user}', 'administrator', (req) => {
    const p = b.permission(req.params['vhost']!, req.params['user']!);
    if (!p) throw notFound();
    return permissionJson(req.params['vhost']!, req.params['user']!, p);
  });
  r.put('/api/permissions/{vhost}/{user}', 'administrator', async (req) => {
    const body = objectBody(await req.body());
    const { vhost, user } = req.params as { vhost: string; user: string };
    if (!b.vhosts.has(vhost) || !b.users.has(user)) throw badRequest('vhost_or_user_not_found');
    const existed = b.permission(vhost, user) !== undefined;
    b.setPermission(vhost, user, new Permission(regexString(body, 'configure'), regexString(body, 'write'), regexString(body, 'read')));
    return upsert(existed);
  });
  r.add('DELETE', '/api/permissions/{vhost}/{user}', 'administrator', (req) => {
    if (!b.clearPermission(req.params['vhost']!, req.params['user']!)) throw notFound();
    return undefined;
  });
}
