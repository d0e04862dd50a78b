import { isIP } from 'node:net';
import { ConfigError, type Parser } from '../shared/config.js';

/** Value parsers the proxy's settings need beyond shared/config.ts (each throws a ConfigError naming the key). */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds: a number (ms) or a string like `500ms`, `2s`, `5m` (HAProxy's notation). */
export const duration =
  (min = 0, max = 24 * 3_600_000): Parser<number> =>
  (raw, key) => {
    let ms = NaN;
    if (typeof raw === 'number') ms = raw;
    else if (typeof raw === 'string') {
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
      if (m) ms = Number(m[1]) * UNITS[m[2] ?? 'ms']!;
    }
    if (!Number.isFinite(ms) || ms < min || ms > max || !Number.isInteger(Math.round(ms))) {
      throw new ConfigError(key, raw, `expected a duration ${min}-${max} ms, like 2000, 500ms or 2s`);
    }
    return Math.round(ms);
  };

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * `host:port`, `[v6]:port`, `:port` or `port`. A missing host is '' (the caller fills in its default, such as
 * the VIP). Port 0 is refused unless `allowZero` (a listener may take any free port).
 */
export const endpoint =
  (allowZero = false): Parser<Endpoint> =>
  (raw, key) => {
    const bad = (): never => {
      throw new ConfigError(key, raw, `expected host:port${allowZero ? '' : ' with a port 1-65535'}`);
    };
    if (typeof raw === 'number') raw = String(raw);
    if (typeof raw !== 'string') return bad();
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*))?:?(\d{1,5})$/.exec(raw.trim());
    if (!m) return bad();
    const host = m[1] ?? m[2] ?? '';
    const port = Number(m[3]);
    if (port > 65535 || (port === 0 && !allowZero)) return bad();
    if (m[1] !== undefined && isIP(host) !== 6) return bad();
    return { host, port };
  };

export const endpointList =
  (allowZero = false): Parser<Endpoint[]> =>
  (raw, key) => {
    const items = typeof raw === 'string' ? (raw.trim() === '' ? [] : raw.split(',')) : raw;
    if (!Array.isArray(items)) throw new ConfigError(key, raw, 'expected a list of host:port');
    return items.map((x, i) => endpoint(allowZero)(typeof x === 'string' ? x.trim() : x, Array.isArray(raw) ? `${key}[${i}]` : key));
  };

/** An IP address (v4 or v6), or '' for none. */
export const ipOrEmpty: Parser<string> = (raw, key) => {
  if (raw === '' || raw === undefined) return '';
  if (typeof raw !== 'string' || isIP(raw) === 0) throw new ConfigError(key, raw, 'expected an IP address');
  return raw;
};

/** A string that may be empty (an unset optional text). */
export const optionalText: Parser<string> = (raw, key) => {
  if (typeof raw !== 'string') throw new ConfigError(key, raw, 'expected a string');
  return raw;
};

/** A name usable in URLs and metric labels. */
export const name: Parser<string> = (raw, key) => {
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) {
    throw new ConfigError(key, raw, 'expected a name of 1-64 letters, digits, _ . : or -');
  }
  return raw;
};

/** Formats an endpoint for logs and URLs: `[::1]:5672` for IPv6. */
export function formatEndpoint(e: Endpoint): string {
  return isIP(e.host) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
