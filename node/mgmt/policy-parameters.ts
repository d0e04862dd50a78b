import type { Policy, PolicyKind } from '../broker/policies.js';
import type { Vhost } from '../broker/vhost.js';

/**
 * RabbitMQ keeps policies and operator policies as runtime parameters of these components: its
 * /api/parameters and its definitions show them so (operator policies even in the unfiltered list).
 */
const POLICY_COMPONENTS: Readonly<Record<string, PolicyKind>> = { policy: 'policy', operator_policy: 'operator-policy' };

export function policyKindOf(component: string): PolicyKind | undefined {
  return Object.hasOwn(POLICY_COMPONENTS, component) ? POLICY_COMPONENTS[component] : undefined;
}

export interface ParameterJson {
  readonly vhost: string;
  readonly component: string;
  readonly name: string;
  readonly value: unknown;
}

export function policyParameterJson(p: Policy, component: string): ParameterJson {
  return { vhost: p.vhost, component, name: p.name, value: { pattern: p.pattern, definition: p.definition, priority: p.priority, 'apply-to': p.applyTo } };
}

/** A vhost's parameters as RabbitMQ lists them: all but policies, or those of one component. */
export function parametersOf(v: Vhost, component?: string): ParameterJson[] {
  const policies = (kind: PolicyKind, c: string) => [...(kind === 'policy' ? v.policies : v.operatorPolicies).values()].map((p) => policyParameterJson(p, c));
  const kind = component === undefined ? undefined : policyKindOf(component);
  if (kind) return policies(kind, component!);
  const plain = [...v.parameters]
    .filter(([c]) => component === undefined || c === component)
    .flatMap(([c, m]) => [...m].map(([name, value]) => ({ vhost: v.name, component: c, name, value })));
  return component === undefined ? [...plain, ...policies('operator-policy', 'operator_policy')] : plain;
}
