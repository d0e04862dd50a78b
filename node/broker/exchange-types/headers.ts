import { fieldEquals, stringOf, type FieldTable } from '../../../shared/amqp/index.js';
import type { Binding, BindingDestination, ExchangeRouter } from '../binding.js';

type MatchMode = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface HeadersBinding {
  readonly binding: Binding;
  readonly mode: MatchMode;
  readonly pairs: [string, FieldTable[string]][];
}

/**
 * Routes on message headers against binding arguments. `x-match` selects all (default) or any; the
 * `-with-x` variants also compare `x-` prefixed keys, which are otherwise ignored. A binding argument
 * with a void value matches on presence of the key alone.
 */
export class HeadersRouter implements ExchangeRouter {
  private readonly bindings = new Map<Binding, HeadersBinding>();

  add(b: Binding): void {
    const mode = (stringOf(b.arguments['x-match']) ?? 'all') as MatchMode;
    const withX = mode.endsWith('-with-x');
    const pairs = Object.entries(b.arguments).filter(([k]) => k !== 'x-match' && (withX || !k.startsWith('x-')));
    this.bindings.set(b, { binding: b, mode, pairs });
  }

  remove(b: Binding): void {
    this.bindings.delete(b);
  }

  route(_routingKey: string, headers: FieldTable | undefined, out: Set<BindingDestination>): void {
    const h = headers ?? {};
    for (const hb of this.bindings.values()) {
      if (matches(hb, h)) out.add(hb.binding.destination);
    }
  }
}

/** Valid `x-match` values, for validation at bind time. */
export const HEADERS_MATCH_MODES: ReadonlySet<string> = new Set(['all', 'any', 'all-with-x', 'any-with-x']);

function matches(hb: HeadersBinding, headers: FieldTable): boolean {
  const any = hb.mode.startsWith('any');
  if (hb.pairs.length === 0) return !any;
  for (const [k, v] of hb.pairs) {
    const present = Object.prototype.hasOwnProperty.call(headers, k);
    const ok = present && (v === null || fieldEquals(v, headers[k]));
    if (any && ok) return true;
    if (!any && !ok) return false;
  }
  return !any;
}
