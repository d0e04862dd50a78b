import { numberOf, stringOf, type FieldValue } from '../../shared/amqp/index.js';
import { expectedInteger, typeName } from './argument-text.js';

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
export type QueueMode = 'default' | 'lazy';

/** A queue's behaviour settings after arguments, policy and operator policy are merged. */
export interface QueueSettings {
  messageTtl: number | null;
  expires: number | null;
  maxLength: number | null;
  maxLengthBytes: number | null;
  overflow: Overflow;
  deadLetterExchange: string | null;
  deadLetterRoutingKey: string | null;
  queueMode: QueueMode;
}

export const DEFAULT_SETTINGS: QueueSettings = {
  messageTtl: null,
  expires: null,
  maxLength: null,
  maxLengthBytes: null,
  overflow: 'drop-head',
  deadLetterExchange: null,
  deadLetterRoutingKey: null,
  queueMode: 'default',
};

/** How an argument and policies combine for one key (RabbitMQ's documented rule for that key). */
type Merge = 'lowest' | 'argument-wins' | 'policy-wins';

/** Parses a raw value; returns the RabbitMQ-style reason when it is unacceptable. */
type Validate = (v: FieldValue) => { ok: true; value: QueueSettings[keyof QueueSettings] } | { ok: false; why: string };

const nonNegInt =
  (positive = false): Validate =>
  (v) => {
    const n = numberOf(v);
    if (n === undefined || !Number.isInteger(n)) return { ok: false, why: expectedInteger(v) };
    if (n < 0 || (positive && n === 0)) return { ok: false, why: `{value_${positive && n === 0 ? 'zero' : 'negative'},${n}}` };
    return { ok: true, value: n };
  };

/** One of a set of strings; `why` words RabbitMQ's reason for another string, another type is unacceptable. */
const enumOf =
  (why: (s: string) => string, ...values: string[]): Validate =>
  (v) => {
    if (typeof v !== 'string') return { ok: false, why: `{unacceptable_type,${typeName(v)}}` };
    return values.includes(v) ? { ok: true, value: v as Overflow } : { ok: false, why: why(v) };
  };

const str: Validate = (v) => {
  const s = stringOf(v);
  return s === undefined ? { ok: false, why: `"expected string, got ${typeName(v)}"` } : { ok: true, value: s };
};

export interface SettingKey {
  readonly setting: keyof QueueSettings;
  readonly argument: string;
  readonly policyKey: string;
  readonly validate: Validate;
  readonly merge: Merge;
}

export const QUEUE_SETTING_KEYS: readonly SettingKey[] = [
  { setting: 'messageTtl', argument: 'x-message-ttl', policyKey: 'message-ttl', validate: nonNegInt(), merge: 'lowest' },
  { setting: 'expires', argument: 'x-expires', policyKey: 'expires', validate: nonNegInt(true), merge: 'lowest' },
  { setting: 'maxLength', argument: 'x-max-length', policyKey: 'max-length', validate: nonNegInt(), merge: 'lowest' },
  { setting: 'maxLengthBytes', argument: 'x-max-length-bytes', policyKey: 'max-length-bytes', validate: nonNegInt(), merge: 'lowest' },
  {
    setting: 'overflow',
    argument: 'x-overflow',
    policyKey: 'overflow',
    validate: enumOf(() => 'invalid_overflow', 'drop-head', 'reject-publish', 'reject-publish-dlx'),
    merge: 'argument-wins',
  },
  { setting: 'deadLetterExchange', argument: 'x-dead-letter-exchange', policyKey: 'dead-letter-exchange', validate: str, merge: 'argument-wins' },
  { setting: 'deadLetterRoutingKey', argument: 'x-dead-letter-routing-key', policyKey: 'dead-letter-routing-key', validate: str, merge: 'argument-wins' },
  // The user's notes (§9.3): when both set a queue mode, the policy's applies. RabbitMQ 3.10 lets the
  // argument win; docs/rabbitmq-differences.md records the difference.
  {
    setting: 'queueMode',
    argument: 'x-queue-mode',
    policyKey: 'queue-mode',
    validate: enumOf((s) => `"unsupported queue mode '${s}'"`, 'default', 'lazy'),
    merge: 'policy-wins',
  },
];

export type PartialSettings = Partial<Record<keyof QueueSettings, QueueSettings[keyof QueueSettings]>>;

/**
 * Merges the three sources. For each key: 'lowest' takes the smallest of all that set it (limits and
 * TTLs: the more conservative wins); 'argument-wins' prefers the queue argument, then the policy;
 * 'policy-wins' the reverse. Operator policies only set 'lowest' keys (see policy-keys.ts).
 */
export function mergeSettings(args: PartialSettings, policy: PartialSettings = {}, operator: PartialSettings = {}): QueueSettings {
  const out: QueueSettings = { ...DEFAULT_SETTINGS };
  for (const k of QUEUE_SETTING_KEYS) {
    const a = args[k.setting];
    const p = policy[k.setting];
    let v: QueueSettings[keyof QueueSettings] | undefined;
    if (k.merge === 'lowest') {
      const candidates = [a, p, operator[k.setting]].filter((x): x is number => typeof x === 'number');
      v = candidates.length > 0 ? Math.min(...candidates) : undefined;
    } else if (k.merge === 'argument-wins') {
      v = a ?? p;
    } else {
      v = p ?? a;
    }
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k.setting] = v;
  }
  return out;
}
