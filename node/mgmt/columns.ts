/**
 * RabbitMQ's `columns` query parameter, which every GET of its API honours: a comma-separated list of
 * keys, each a dotted path (`message_stats.publish`), and only those keys are answered. A list keeps the
 * named keys of each of its objects, a nested object those named under it; a path that names a whole
 * object keeps all of it. Empty names are dropped, as Erlang's string:tokens drops them.
 */
/** The named paths as a tree: each key maps to the keys named under it, or to null when a path ends there (all of it is kept). */
type Paths = Map<string, Paths | null>;

function pathsOf(query: URLSearchParams): Paths | null {
  const raw = query.get('columns');
  if (raw === null) return null;
  const root: Paths = new Map();
  for (const column of raw.split(',')) {
    const path = column.split('.').filter(Boolean);
    let node: Paths | null = root;
    for (let i = 0; node !== null && i < path.length; i++) {
      const key = path[i]!;
      if (i === path.length - 1) node.set(key, null);
      else {
        let under = node.get(key);
        if (under === undefined) node.set(key, (under = new Map()));
        node = under;
      }
    }
  }
  return root;
}

function pick(value: unknown, paths: Paths): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, paths));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const under = paths.get(key);
    if (under === undefined) continue;
    out[key] = under === null ? v : pick(v, under);
  }
  return out;
}

/** `value` with only the columns the query names (all of it when it names none). */
export function withColumns(value: unknown, query: URLSearchParams): unknown {
  const paths = pathsOf(query);
  return paths === null ? value : pick(value, paths);
}
