/**
 * A JSON value as RabbitMQ's messages print it: Erlang's `~p` of what its JSON decoder made of it (strings
 * are binaries, arrays lists, objects maps with sorted keys, null/true/false atoms). Long terms are kept on
 * one line, where Erlang would wrap them at 80 columns.
 */
export function erlangTerm(v: unknown): string {
  if (typeof v === 'string') return `<<"${v.replace(/["\\]/g, '\\$&')}">>`;
  // JavaScript writes integers from 1e21 on with an exponent, as it does floats: take them for floats
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : erlangFloat(v);
  if (Array.isArray(v)) return `[${v.map(erlangTerm).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `#{${Object.keys(o)
      .sort()
      .map((k) => `${erlangTerm(k)} => ${erlangTerm(o[k])}`)
      .join(',')}}`;
  }
  return String(v);
}

/** A proplist, `[{Key,Value},...]`, of the terms. */
export const erlangProplist = (entries: readonly (readonly [unknown, unknown])[]): string => `[${entries.map(([k, v]) => `{${erlangTerm(k)},${erlangTerm(v)}}`).join(',')}]`;

/** Erlang prints floats with a fraction and a bare exponent: 1.5, 1.0e21, 1.0e-7. */
function erlangFloat(v: number): string {
  const [mantissa, exponent] = String(v).split('e');
  const m = mantissa!.includes('.') ? mantissa : `${mantissa}.0`;
  return exponent === undefined ? m! : `${m}e${exponent.replace('+', '')}`;
}
