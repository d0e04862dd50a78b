// Redis key layout of one deduplication exchange's cache. Every key of an exchange shares one hash tag, so
// a script may touch them together (and a Redis Cluster would keep them in one slot):
//
//   warren:dedup:{<vhost>:<exchange>}:seen:<value>   string: the token of the check that recorded the value,
//                                                     PX = its TTL (none: kept until evicted)
//   warren:dedup:{<vhost>:<exchange>}:order          sorted set of values scored by insertion number: the
//                                                     lowest is evicted first when over x-cache-size
//   warren:dedup:{<vhost>:<exchange>}:seq            insertion counter (INCR)
//
// vhost and exchange are percent-encoded (encodeURIComponent), so neither can hold ':', '{' or '}' and no
// two exchanges share a key; <value> is the dedupKey() text of the header value (n:5, b:<base64>, j:<json>).
export const KEY_PREFIX = 'warren:dedup:';

export interface DedupKeys {
  /** Prefix of the per-value keys: the value's dedupKey() text follows. */
  readonly seen: string;
  readonly order: string;
  readonly seq: string;
}

export function dedupKeys(vhost: string, exchange: string): DedupKeys {
  const base = `${KEY_PREFIX}{${encodeURIComponent(vhost)}:${encodeURIComponent(exchange)}}:`;
  return { seen: `${base}seen:`, order: `${base}order`, seq: `${base}seq` };
}
