import { erlangTerm } from './erlang-term.js';
import { appliesToClassicQueues, definitionProblem, isOperatorKey } from './policy-keys.js';
import { PatternError, tryCompilePattern } from './policy-pattern.js';
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
  /** False when a key is for quorum queues or streams only: then, as in RabbitMQ, queues never match it. */
  readonly forQueues: boolean;
}

/** What a policy is set from (API bodies, definitions, the log); makePolicy checks each part. */
export interface PolicyInput {
  readonly name: string;
  readonly pattern: unknown;
  readonly applyTo: unknown;
  readonly priority: unknown;
  readonly definition: PolicyDefinition;
}

/** RabbitMQ's 400 reason for a policy or runtime parameter it refuses: "Validation failed", then each problem. */
export const validationFailed = (problems: readonly string[]): string => `Validation failed\n\n${problems.map((p) => `${p}\n`).join('')}`;

/** A policy that fails validation, worded as RabbitMQ's 400 reason. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(problems: readonly string[]) {
    super(validationFailed(problems));
  }
}

const APPLY_TO: readonly unknown[] = ['queues', 'exchanges', 'all'];

/** The pattern as a RegExp, or the problem with it. */
function compiled(pattern: unknown): RegExp | string {
  if (typeof pattern !== 'string') return `pattern should be a binary but was ${erlangTerm(pattern)}`;
  const regex = tryCompilePattern(pattern);
  if (!(regex instanceof PatternError)) return regex;
  return regex.untranslatable ? `pattern cannot be used: ${regex.reason}` : `pattern should be regular expression but is invalid: ${regex.reason}`;
}

/**
 * Validates and builds a policy as RabbitMQ does: the first problem with the definition, then any with
 * apply-to, the pattern and the priority (in RabbitMQ's order); throws PolicyError naming them.
 */
export function makePolicy(kind: PolicyKind, vhost: string, p: PolicyInput): Policy {
  const problems: string[] = [];
  const invalid = definitionProblem(kind === 'operator-policy', p.definition);
  if (invalid !== null) problems.push(invalid);
  if (!APPLY_TO.includes(p.applyTo)) problems.push(`apply-to '${String(p.applyTo)}' unrecognised; should be 'queues', 'exchanges' or 'all'`);
  const regex = compiled(p.pattern);
  if (typeof regex === 'string') problems.push(regex);
  if (typeof p.priority !== 'number') problems.push(`priority should be a number, actually was ${erlangTerm(p.priority)}`);
  if (problems.length > 0) throw new PolicyError(problems);
  const { name, definition, pattern, applyTo, priority } = p;
  return { name, vhost, pattern: pattern as string, applyTo: applyTo as ApplyTo, priority: priority as number, definition, regex: regex as RegExp, forQueues: appliesToClassicQueues(definition) };
}

/** The matching policy with the highest priority that applies to the kind (ties: the later-named, deterministically). */
export function matchPolicy(policies: Iterable<Policy>, kind: 'queue' | 'exchange', name: string): Policy | undefined {
  let best: Policy | undefined;
  for (const p of policies) {
    if (p.applyTo !== 'all' && p.applyTo !== (kind === 'queue' ? 'queues' : 'exchanges')) continue;
    if (kind === 'queue' && !p.forQueues) continue;
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
 * effective_policy_definition: every key of either; for a key both set (an operator key), the lower value.
 */
export function effectiveDefinition(policy: Policy | undefined, operator: Policy | undefined): PolicyDefinition {
  const out: PolicyDefinition = { ...operator?.definition, ...policy?.definition };
  for (const [key, value] of Object.entries(operator?.definition ?? {})) {
    const mine = policy?.definition[key];
    if (isOperatorKey(key) && typeof mine === 'number' && typeof value === 'number') out[key] = Math.min(mine, value);
  }
  return out;
}
