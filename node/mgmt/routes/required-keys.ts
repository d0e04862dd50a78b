import { badRequest } from '../http-error.js';

/**
 * RabbitMQ's check of the keys an endpoint's body must have: 400 naming every missing one, in the
 * endpoint's order, as Erlang's ~p prints the list `[{key_missing,K},...]`: on one line when it fits
 * (78 columns), else one element a line.
 */
export function requireKeys(body: Record<string, unknown>, keys: readonly string[]): void {
  const missing = keys.filter((k) => body[k] === undefined).map((k) => `{key_missing,${k}}`);
  if (missing.length === 0) return;
  const line = `[${missing.join(',')}]`;
  throw badRequest(line.length <= 78 ? line : `[${missing.join(',\n ')}]`);
}
