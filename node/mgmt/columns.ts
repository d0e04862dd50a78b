/**
 * RabbitMQ's `columns` query parameter, which every GET of its API honours: a comma-separated list of
 * keys, each a dotted path (`message_stats.publish`), and only those keys are answered. A list keeps the
 * named keys of each of its objects, a nested object those named under it; a path that names a whole
 * object keeps all of it. Empty names are dropped, as Erlang's string:tokens drops them.
 */
type Paths = readonly (readonly string[])[];

function pathsOf(query: URLSearchParams): Paths | null {
  const raw = query.get('columns');
  if (raw === null) return null;
  return raw
    .split(',')
    .map((c) => c.split('.').filter(Boolean))
    .filter((p) => p.length > 0);
}

function pick(value: unknown, paths: Paths): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, paths));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const under = paths.filter((p) => p[0] === key);
    if (under.length === 0) continue;
    out[key] = under.some((p) => p.length === 1) ? v : pick(v, under.map((p) => p.slice(1)));
  }
  return out;
}

/** `value` with only the columns the query names (all of it when it names none). */
export function withColumns(value: unknown, query: URLSearchParams): unknown {
  const paths = pathsOf(query);
  return paths === null ? value : pick(value, paths);
}
