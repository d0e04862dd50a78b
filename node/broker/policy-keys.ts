import { erlangProplist, erlangTerm } from './erlang-term.js';
import { PatternError, tryCompilePattern } from './policy-pattern.js';

type Definition = Readonly<Record<string, unknown>>;
type Check = (v: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const atLeast =
  (min: number, max = Infinity): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const oneOf =
  (...values: unknown[]): Check =>
  (v) =>
    values.includes(v);
/** A stream's max-age: a positive whole number of years, months, days, hours, minutes or seconds ("7D"). */
const isMaxAge: Check = (v) => typeof v === 'string' && /^[0-9]+[YMDhms]$/.test(v) && parseInt(v, 10) > 0;

interface Key {
  readonly check: Check;
  /** RabbitMQ's complaint, after the value as Erlang prints it. */
  readonly why: string;
  /** Operator policies may set it too; where both set it, the lower value applies. */
  readonly operator?: true;
  /** For quorum queues or streams only: a policy with it does not apply to a classic queue at all. */
  readonly notClassic?: true;
}

/**
 * The keys RabbitMQ 3.10 checks one at a time (rabbit_policies, rabbit_queue_location_validator), with
 * its reasons word for word (the "memory in bytes" for max-in-memory-length is RabbitMQ's). Some act only
 * on where a queue is placed, how it is stored or on quorum queues (queue-master-locator, queue-version,
 * max-in-memory-*): a classic queue ignores them, in Warren as in RabbitMQ. A policy with a key marked
 * notClassic is, as in RabbitMQ, not applied to classic queues at all (rabbit_classic_queue capabilities).
 */
const KEYS: Readonly<Record<string, Key>> = {
  'alternate-exchange': { check: isString, why: 'is not a valid alternate exchange name' },
  'dead-letter-exchange': { check: isString, why: 'is not a valid dead letter exchange name' },
  'dead-letter-routing-key': { check: isString, why: 'is not a valid dead letter routing key' },
  'dead-letter-strategy': { check: oneOf('at-most-once', 'at-least-once'), why: 'is not a valid dead letter strategy', notClassic: true },
  'message-ttl': { check: atLeast(0), why: 'is not a valid message TTL', operator: true },
  expires: { check: atLeast(1), why: 'is not a valid queue expiry', operator: true },
  'max-length': { check: atLeast(0), why: 'is not a valid maximum length', operator: true },
  'max-length-bytes': { check: atLeast(0), why: 'is not a valid maximum length in bytes', operator: true },
  'max-in-memory-length': { check: atLeast(0), why: 'is not a valid maximum memory in bytes', operator: true },
  'max-in-memory-bytes': { check: atLeast(0), why: 'is not a valid maximum memory in bytes', operator: true },
  'delivery-limit': { check: atLeast(0), why: 'is not a valid delivery limit', operator: true, notClassic: true },
  'queue-mode': { check: oneOf('default', 'lazy'), why: 'is not a valid queue-mode value' },
  'queue-version': { check: oneOf(1, 2), why: 'is not a valid queue-version value' },
  overflow: { check: oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'), why: 'is not a valid overflow value' },
  'max-age': { check: isMaxAge, why: 'is not a valid max age', notClassic: true },
  'queue-leader-locator': { check: oneOf('client-local', 'balanced', 'random', 'least-leaders'), why: 'is not a valid queue leader locator value', notClassic: true },
  'initial-cluster-size': { check: atLeast(0), why: 'is not a valid cluster size', notClassic: true },
  'stream-max-segment-size-bytes': { check: atLeast(0, 3_000_000_000), why: 'is not a valid segment size', notClassic: true },
  'queue-master-locator': { check: oneOf('min-masters', 'client-local', 'random'), why: 'invalid queue-master-locator value' },
};

/** Keys RabbitMQ checks together, each group by one validator that names the first problem. */
interface Group {
  readonly keys: readonly string[];
  problem(d: Definition): string | null;
}

/** `none` is what RabbitMQ prints for a key that is not there. */
const given = (v: unknown): string => (v === undefined ? 'none' : erlangTerm(v));
const choice = (key: string, a: string, b: string) => (v: unknown) =>
  v === undefined || v === a || v === b ? null : `${key} must be "${a}" or "${b}", got ${erlangTerm(v)}`;

const HA_PARAMS: Readonly<Record<string, (params: unknown) => string | null>> = {
  all: (p) => (p === undefined ? null : 'ha-mode="all" does not take parameters'),
  exactly: (p) => (Number.isInteger(p) && (p as number) > 0 ? null : `ha-mode="exactly" takes an integer, ${given(p)} given`),
  nodes: (p) => {
    if (!Array.isArray(p)) return `ha-mode="nodes" takes a list, ${given(p)} given`;
    if (p.length === 0) return 'ha-mode="nodes" list must be non-empty';
    const bad = p.filter((n) => typeof n !== 'string');
    return bad.length === 0 ? null : `ha-mode="nodes" takes a list of strings, ${erlangTerm(bad)} was not a string`;
  },
};

/** Classic mirroring (rabbit_mirror_queue_misc): the mode decides what the parameters must be. */
const HA: Group = {
  keys: ['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure'],
  problem(d) {
    if (this.keys.every((k) => d[k] === undefined)) return null;
    const mode = d['ha-mode'];
    if (mode === undefined) return 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown';
    const params = typeof mode === 'string' && Object.hasOwn(HA_PARAMS, mode) ? HA_PARAMS[mode]! : null;
    if (params === null) return `${erlangTerm(mode)} is not a valid ha-mode value`;
    const batch = d['ha-sync-batch-size'];
    return (
      params(d['ha-params']) ??
      choice('ha-sync-mode', 'manual', 'automatic')(d['ha-sync-mode']) ??
      (batch === undefined || atLeast(1)(batch) ? null : `ha-sync-batch-size takes an integer greater than 0, ${erlangTerm(batch)} given`) ??
      choice('ha-promote-on-shutdown', 'always', 'when-synced')(d['ha-promote-on-shutdown']) ??
      choice('ha-promote-on-failure', 'always', 'when-synced')(d['ha-promote-on-failure'])
    );
  },
};

/** The federation plugin's keys: one of them at most. */
const FEDERATION: Group = {
  keys: ['federation-upstream', 'federation-upstream-pattern', 'federation-upstream-set'],
  problem(d) {
    const set = this.keys.filter((k) => d[k] !== undefined);
    if (set.length >= 2) return 'cannot specify federation-upstream, federation-upstream-set or federation-upstream-pattern together';
    const key = set[0];
    if (key === undefined) return null;
    const v = d[key];
    if (typeof v !== 'string') return `${erlangTerm(v)} is not a valid ${key.replaceAll('-', ' ')} name`;
    return key === 'federation-upstream-pattern' ? federationPatternProblem(v) : null;
  },
};

function federationPatternProblem(pattern: string): string | null {
  const compiled = tryCompilePattern(pattern);
  return compiled instanceof PatternError ? `could not compile pattern ${pattern} to a regular expression. Error: ${compiled.reason}` : null;
}

const GROUPS: readonly Group[] = [HA, FEDERATION];

/**
 * The first problem RabbitMQ 3.10 would report with a policy definition, worded as it words it, or null.
 * It checks keys by validator and names only the first failure; keys no validator knows come last, all
 * together. Operator policies know only the resource bounds.
 */
export function definitionProblem(operator: boolean, d: Definition): string | null {
  const keys = Object.keys(d).sort();
  if (keys.length === 0) return 'no policy provided';
  const known = (k: string): boolean => (operator ? isOperatorKey(k) : Object.hasOwn(KEYS, k) || GROUPS.some((g) => g.keys.includes(k)));
  for (const k of keys.filter(known)) {
    const key = KEYS[k];
    if (key && !key.check(d[k])) return `${erlangTerm(d[k])} ${key.why}`;
  }
  for (const g of operator ? [] : GROUPS) {
    const problem = g.problem(d);
    if (problem !== null) return problem;
  }
  const unknown = keys.filter((k) => !known(k));
  return unknown.length === 0 ? null : `${erlangProplist(unknown.map((k) => [k, d[k]]))} are not recognised policy settings`;
}

/** Whether a policy with this definition may apply to a classic queue (Warren's only kind). */
export const appliesToClassicQueues = (d: Definition): boolean => !Object.keys(d).some((k) => KEYS[k]?.notClassic === true);

/** Keys an operator policy may set: the lower of its value and the policy's applies. */
export const isOperatorKey = (key: string): boolean => KEYS[key]?.operator === true;
