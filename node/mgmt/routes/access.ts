import { Permission } from '../../broker/permissions.js';
import type { UserTag } from '../../broker/users.js';
import { canSeeVhost } from '../auth.js';
import { vhostOf, type MgmtContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import type { Router } from '../router.js';
import { userJson } from '../shapes.js';

const TAGS: readonly UserTag[] = ['administrator', 'monitoring', 'management', 'policymaker', 'impersonator'];

/** Tags as RabbitMQ accepts them: an array or a comma-separated string; unknown tags are refused. */
export function parseTags(v: unknown): UserTag[] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v === undefined ? [] : null;
  if (!list) throw badRequest('tags must be a list or a comma-separated string');
  const tags = list.map((t) => String(t).trim()).filter(Boolean);
  for (const t of tags) if (!TAGS.includes(t as UserTag)) throw badRequest(`unknown user tag '${t}'`);
  return tags as UserTag[];
}

function obj(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be a JSON object');
  return body as Record<string, unknown>;
}

function permissionJson(vhost: string, user: string, p: Permission): Record<string, unknown> {
  return { user, vhost, configure: p.configure, write: p.write, read: p.read };
}

/** Vhosts, users and permissions. */
export function accessRoutes(r: Router, ctx: MgmtContext): void {
  const b = ctx.broker;
  r.add('GET', '/api/vhosts', 'management', (req) =>
    [...b.vhosts.keys()].filter((v) => canSeeVhost(b, req.user, v)).map((name) => ({ name, description: '', tags: [], tracing: false })),
  );
  r.add('GET', '/api/vhosts/{vhost}', 'management', (req) => ({ name: vhostOf(ctx, req.user, req.params['vhost']!).name, description: '', tags: [], tracing: false }));
  r.add('PUT', '/api/vhosts/{vhost}', 'administrator', (req) => {
    b.addVhost(req.params['vhost']!);
    return undefined;
  });
  r.add('DELETE', '/api/vhosts/{vhost}', 'administrator', (req) => {
    const name = req.params['vhost']!;
    if (!b.vhosts.has(name)) throw notFound();
    for (const c of ctx.amqp.connections) if (c.vhost?.name === name) c.forceClose(`vhost '${name}' is deleted`);
    b.deleteVhost(name);
    return undefined;
  });
  r.add('GET', '/api/vhosts/{vhost}/permissions', 'administrator', (req) => {
    const v = vhostOf(ctx, req.user, req.params['vhost']!);
    return [...(b.permissions.get(v.name) ?? new Map<string, Permission>())].map(([u, p]) => permissionJson(v.name, u, p));
  });

  r.add('GET', '/api/users', 'administrator', () => [...b.users.values()].map(userJson));
  r.add('GET', '/api/users/{user}', 'administrator', (req) => {
    const u = b.users.get(req.params['user']!);
    if (!u) throw notFound();
    return userJson(u);
  });
  r.add('PUT', '/api/users/{user}', 'administrator', async (req) => {
    const body = obj(await req.body());
    const name = req.params['user']!;
    const tags = parseTags(body['tags']);
    if (typeof body['password'] === 'string') b.addUser(name, body['password'], tags);
    else if (typeof body['password_hash'] === 'string') b.importUser(name, body['password_hash'], tags);
    else {
      const existing = b.users.get(name);
      if (!existing) throw badRequest('a new user needs password or password_hash');
      b.importUser(name, existing.passwordHash, tags);
    }
    return undefined;
  });
  r.add('DELETE', '/api/users/{user}', 'administrator', (req) => {
    if (!b.deleteUser(req.params['user']!)) throw notFound();
    return undefined;
  });
  r.add('GET', '/api/users/{user}/permissions', 'administrator', (req) => {
    const user = req.params['user']!;
    const out: unknown[] = [];
    for (const [vhost, perms] of b.permissions) {
      const p = perms.get(user);
      if (p) out.push(permissionJson(vhost, user, p));
    }
    return out;
  });

  r.add('GET', '/api/permissions', 'administrator', () => {
    const out: unknown[] = [];
    for (const [vhost, perms] of b.permissions) for (const [user, p] of perms) out.push(permissionJson(vhost, user, p));
    return out;
  });
  r.add('GET', '/api/permissions/{vhost}/{user}', 'administrator', (req) => {
    const p = b.permission(req.params['vhost']!, req.params['user']!);
    if (!p) throw notFound();
    return permissionJson(req.params['vhost']!, req.params['user']!, p);
  });
  r.add('PUT', '/api/permissions/{vhost}/{user}', 'administrator', async (req) => {
    const body = obj(await req.body());
    const { vhost, user } = req.params as { vhost: string; user: string };
    if (!b.vhosts.has(vhost)) throw badRequest(`vhost '${vhost}' does not exist`);
    if (!b.users.has(user)) throw badRequest(`user '${user}' does not exist`);
    const pats = ['configure', 'write', 'read'].map((k) => {
      const v = body[k];
      if (typeof v !== 'string') throw badRequest(`${k} must be a string (a regular expression)`);
      try {
        new RegExp(v);
      } catch (e) {
        throw badRequest(`${k} is not a valid regular expression: ${(e as Error).message}`);
      }
      return v;
    }) as [string, string, string];
    b.setPermission(vhost, user, new Permission(...pats));
    return undefined;
  });
  r.add('DELETE', '/api/permissions/{vhost}/{user}', 'administrator', (req) => {
    if (!b.clearPermission(req.params['vhost']!, req.params['user']!)) throw notFound();
    return undefined;
  });
}
