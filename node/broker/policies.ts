import { QUEUE_SETTING_KEYS, type PartialSettings } from './queue-settings.js';

export type ApplyTo = 'queues' | 'exchanges' | 'all';
export type PolicyKind = 'policy' | 'operator-policy';

export type PolicyDefinition = Record<string, unknown>;

/** A (user or operator) policy: definitions applied to queues/exchanges whose names match a pattern. */
export interface Policy {
  readonly name: string;
  readonly vhost: string;
  readonly pattern: string;
  readonly applyTo: ApplyTo;
  readonly priority: number;
  readonly definition: PolicyDefinition;
  readonly regex: RegExp;
}

/** A policy that fails validation: every problem, in words, for the API's 400 and the CLI. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const isNonNegInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const isString = (v: unknown): boolean => typeof v === 'string';

/** Keys Warren accepts in policies, beyond the queue settings; validated now, used by later features. */
const OTHER_POLICY_KEYS: Record<string, (v: unknown) => boolean> = {
  'alternate-exchange': isString,
  'ha-mode': (v) => v === 'all' || v === 'exactly' || v === 'nodes',
  'ha-params': (v) => isNonNegInt(v) || (Array.isArray(v) && v.every(isString)),
  'ha-sync-mode': (v) => v === 'automatic' || v === 'manual',
  'ha-sync-batch-size': (v) => Number.isInteger(v) && (v as number) > 0,
  'ha-promote-on-shutdown': (v) => v === 'always' || v === 'when-synced',
  'ha-promote-on-failure': (v) => v === 'always' || v === 'when-synced',
  'federation-upstream': isString,
  'federation-upstream-set': isString,
};

/** Validates and builds a policy; throws PolicyError naming every bad key. */
export function makePolicy(kind: PolicyKind, p: Omit<Policy, 'regex'>): Policy {
  const problems: string[] = [];
  if (!['queues', 'exchanges', 'all'].includes(p.applyTo)) problems.push(`apply-to '${p.applyTo}' must be queues, exchanges or all`);
  if (!Number.isInteger(p.priority)) problems.push(`priority ${JSON.stringify(p.priority)} must be an integer`);
  let regex: RegExp = /(?!)/;
  try {
    regex = new RegExp(p.pattern);
  } catch (e) {
    problems.push(`pattern ${JSON.stringify(p.pattern)} is not a valid regular expression: ${(e as Error).message}`);
  }
  const keys = Object.keys(p.definition);
  if (keys.length === 0) problems.push('definition is empty');
  for (const key of keys) {
    const value = p.definition[key];
    const setting = QUEUE_SETTING_KEYS.find((k) => k.policyKey === key);
    if (setting) {
      if (kind === 'operator-policy' && !setting.operator) problems.push(`'${key}' is not allowed in operator policies`);
      else if (!setting.validate(value as never).ok) problems.push(`'${key}' has an invalid value ${JSON.stringify(value)}`);
      continue;
    }
    const check = OTHER_POLICY_KEYS[key];
    if (!check) problems.push(`unknown key '${key}'`);
    else if (kind === 'operator-policy') problems.push(`'${key}' is not allowed in operator policies`);
    else if (!check(value)) problems.push(`'${key}' has an invalid value ${JSON.stringify(value)}`);
  }
  if (problems.length > 0) throw new PolicyError(`invalid ${kind} '${p.name}': ${problems.join('; ')}`);
  return { ...p, regex };
}

/** The matching policy with the highest priority (ties: the later-named, deterministically). */
export function matchPolicy(policies: Iterable<Policy>, kind: 'queue' | 'exchange', name: string): Policy | undefined {
  let best: Policy | undefined;
  for (const p of policies) {
    if (p.applyTo !== 'all' && p.applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) continue;
    if (!p.regex.test(name)) continue;
    if (!best || p.priority > best.priority || (p.priority === best.priority && p.name > best.name)) best = p;
  }
  return best;
}

/** The queue settings a policy definition sets. */
export function policySettings(p: Policy | undefined): PartialSettings {
  const out: PartialSettings = {};
  if (!p) return out;
  for (const k of QUEUE_SETTING_KEYS) {
    const v = p.definition[k.policyKey];
    if (v === undefined) continue;
    const r = k.validate(v as never);
    if (r.ok) out[k.setting] = r.value;
  }
  return out;
}

/**
 * What a queue's policy and operator policy define together, as RabbitMQ shows it in
 * effective_policy_definition: every key of either; for a key both set, the lower value where the lower
 * wins (limits and TTLs, as the queue applies them), else the policy's.
 */
export function effectiveDefinition(policy: Policy | undefined, operator: Policy | undefined): PolicyDefinition {
  const out: PolicyDefinition = { ...operator?.definition, ...policy?.definition };
  for (const [key, value] of Object.entries(operator?.definition ?? {})) {
    const mine = policy?.definition[key];
    const lowest = QUEUE_SETTING_KEYS.find((k) => k.policyKey === key)?.merge === 'lowest';
    if (lowest && typeof mine === 'number' && typeof value === 'number') out[key] = Math.min(mine, value);
  }
  return out;
}
