import { erlangProplist, erlangTerm } from '../broker/erlang-term.js';
import { validationFailed } from '../broker/policies.js';
import { USER_LIMIT_NAMES, VHOST_LIMIT_NAMES, VHOST_LIMITS, type Limits } from '../broker/limits.js';
import { badRequest } from './http-error.js';

/** What RabbitMQ calls each set in its messages, and the names it may have. */
const KINDS = {
  vhost: { noun: 'limits', names: VHOST_LIMIT_NAMES },
  user: { noun: 'user-limits', names: USER_LIMIT_NAMES },
} as const;

function problem(kind: keyof typeof KINDS, value: unknown): string | null {
  const { noun, names } = KINDS[kind];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${noun} should be an object, actually was ${erlangTerm(value)}`;
  const entries = Object.entries(value);
  const unknown = entries.filter(([k]) => !names.includes(k));
  if (unknown.length > 0) return `Unrecognised terms ${erlangProplist(unknown)} in ${noun}`;
  const bad = entries.find(([, v]) => !Number.isInteger(v));
  return bad ? `${bad[0]} should be a number, actually was ${erlangTerm(bad[1])}` : null;
}

/**
 * Limits from JSON: only the names RabbitMQ 3.10 has, integer values (negative: no limit). Else 400 in
 * RabbitMQ's words, which a vhost's wrap as a runtime parameter's validation.
 */
export function parseLimits(kind: keyof typeof KINDS, value: unknown): Limits {
  const why = problem(kind, value);
  if (why === null) return value as Limits;
  throw badRequest(kind === 'vhost' ? validationFailed([why]) : why);
}

/** The value of a vhost-limits parameter; RabbitMQ breaks the vhost with another name than 'limits', Warren refuses it. */
export function vhostLimitsParameter(name: string, value: unknown): Limits {
  if (name !== VHOST_LIMITS.name) throw badRequest(validationFailed([`${VHOST_LIMITS.component} parameters are named '${VHOST_LIMITS.name}', not ${erlangTerm(name)}`]));
  return parseLimits('vhost', value);
}
