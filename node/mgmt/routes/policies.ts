import { PolicyError, type PolicyKind } from '../../broker/policies.js';
import { VHOST_LIMITS } from '../../broker/limits.js';
import type { Vhost } from '../../broker/vhost.js';
import { listedVhosts, vhostOf, vhostToWrite, type MgmtContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { vhostLimitsParameter } from '../limits-json.js';
import { PARAMETERS, POLICIES } from '../list-order.js';
import { parametersOf, policyKindOf } from '../policy-parameters.js';
import { upsert, type Request, type Router } from '../router.js';
import { policyJson } from '../shapes.js';
import { objectBody } from './body.js';
import { requireKeys } from './required-keys.js';

/** RabbitMQ escapes its policy (not operator policy) reasons for HTML: `<<"x">>` reads `&lt;&lt;"x"&gt;&gt;`. */
const escapeHtmlTags = (s: string): string => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/** Validates a policy body as RabbitMQ does and applies it; PolicyError becomes 400 with RabbitMQ's reason. */
export function putPolicy(ctx: MgmtContext, kind: PolicyKind, vhost: string, name: string, body: Record<string, unknown>): void {
  const v = ctx.broker.vhosts.get(vhost);
  if (!v) throw notFound();
  requireKeys(body, ['pattern', 'definition']);
  const definition = body['definition'];
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) throw badRequest('definition must be an object');
  const { pattern, priority = 0, 'apply-to': applyTo = 'all' } = body;
  try {
    v.setPolicy(kind, { name, pattern, applyTo, priority, definition: definition as Record<string, unknown> });
  } catch (e) {
    if (e instanceof PolicyError) throw badRequest(kind === 'policy' ? escapeHtmlTags(e.message) : e.message);
    throw e;
  }
}

const policiesOf = (v: Vhost, kind: PolicyKind) => (kind === 'policy' ? v.policies : v.operatorPolicies);

export function policyRoutes(r: Router, ctx: MgmtContext): void {
  for (const kind of ['policy', 'operator-policy'] as const) {
    const path = kind === 'policy' ? '/api/policies' : '/api/operator-policies';
    // anyone may list them; one by name only those who may change it, as in RabbitMQ
    const guard = kind === 'policy' ? 'policies' : 'administrator';
    const list = (req: Request) => listedVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => [...policiesOf(v, kind).values()].map(policyJson));
    r.list(path, 'management', POLICIES, list);
    r.list(`${path}/{vhost}`, 'vhost', POLICIES, list);
    r.add('GET', `${path}/{vhost}/{name}`, guard, (req) => {
      const v = vhostOf(ctx, req.params['vhost']!);
      const p = policiesOf(v, kind).get(req.params['name']!);
      if (!p) throw notFound();
      return policyJson(p);
    });
    r.put(`${path}/{vhost}/{name}`, guard, async (req) => {
      const v = vhostToWrite(ctx, req.params['vhost']!);
      const existed = policiesOf(v, kind).has(req.params['name']!);
      putPolicy(ctx, kind, v.name, req.params['name']!, objectBody(await req.body()));
      return upsert(existed);
    });
    r.add('DELETE', `${path}/{vhost}/{name}`, guard, (req) => {
      const v = vhostOf(ctx, req.params['vhost']!);
      if (!v.clearPolicy(kind, req.params['name']!)) throw notFound();
      return undefined;
    });
  }

  // RabbitMQ lets policymakers set operator policies as parameters, though not through /api/operator-policies
  const params = (req: Request) => listedVhosts(ctx, req.user, req.params['vhost']).flatMap((v) => parametersOf(v, req.params['component']));
  r.list('/api/parameters', 'policies', PARAMETERS, params);
  r.list('/api/parameters/{component}', 'policies', PARAMETERS, params);
  r.list('/api/parameters/{component}/{vhost}', 'policies', PARAMETERS, params);
  r.add('GET', '/api/parameters/{component}/{vhost}/{name}', 'policies', (req) => {
    const v = vhostOf(ctx, req.params['vhost']!);
    const found = parametersOf(v, req.params['component']).find((p) => p.name === req.params['name']);
    if (!found) throw notFound();
    return found;
  });
  // an operator policy written as a parameter is that policy; a policy RabbitMQ refuses to set so
  r.put('/api/parameters/{component}/{vhost}/{name}', 'policies', async (req) => {
    const v = vhostToWrite(ctx, req.params['vhost']!);
    const body = objectBody(await req.body());
    requireKeys(body, ['value']);
    if (req.params['component'] === 'policy') throw badRequest('policies may not be set using this method');
    const existed = parametersOf(v, req.params['component']).some((p) => p.name === req.params['name']);
    putParameter(ctx, v, req.params['component']!, req.params['name']!, body['value']);
    return upsert(existed);
  });
  r.add('DELETE', '/api/parameters/{component}/{vhost}/{name}', 'policies', (req) => {
    const v = vhostOf(ctx, req.params['vhost']!);
    const kind = policyKindOf(req.params['component']!);
    const removed = kind ? v.clearPolicy(kind, req.params['name']!) : v.clearParameter(req.params['component']!, req.params['name']!);
    if (!removed) throw notFound();
    return undefined;
  });
}

/** Sets a runtime parameter; those of the policy components set the policy their value describes, vhost limits are checked. */
export function putParameter(ctx: MgmtContext, v: Vhost, component: string, name: string, value: unknown): void {
  const kind = policyKindOf(component);
  if (kind) putPolicy(ctx, kind, v.name, name, objectBody(value));
  else v.setParameter(component, name, component === VHOST_LIMITS.component ? vhostLimitsParameter(name, value) : value);
}
