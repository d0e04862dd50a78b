import { bool, ConfigError, intRange, oneOf, type Parser } from '../shared/config.js';
import type { BackendConfig, CheckConfig, FrontendConfig, PoolConfig, ProxyProtocol, ProxySettings, VipConfig } from './config.js';
import { duration, endpoint, endpointList, name, optionalText } from './config-values.js';

/** Reads one mapping of a nested section, naming keys by their path (`pools[0].check.inter`) in errors. */
class Section {
  private readonly used = new Set<string>();
  constructor(
    private readonly obj: Record<string, unknown>,
    readonly path: string,
  ) {}

  static of(raw: unknown, path: string): Section {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config key '${path}'`, raw, 'expected a mapping');
    return new Section(raw as Record<string, unknown>, path);
  }

  key(k: string): string {
    return `config key '${this.path}.${k}'`;
  }

  raw(k: string): unknown {
    this.used.add(k);
    return this.obj[k];
  }

  get<T>(k: string, parse: Parser<T>, fallback: T): T {
    const v = this.raw(k);
    return v === undefined || v === null ? fallback : parse(v, this.key(k));
  }

  /** Throws on keys nobody asked for (typos must not pass silently). */
  done(): void {
    for (const k of Object.keys(this.obj)) {
      if (!this.used.has(k)) throw new ConfigError(this.key(k), this.obj[k], `unknown setting; known: ${[...this.used].join(', ')}`);
    }
  }
}

function list(raw: unknown, path: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`config key '${path}'`, raw, 'expected a list');
  return raw;
}

function unique<T extends { name: string }>(items: T[], path: string): T[] {
  const seen = new Set<string>();
  items.forEach((x, i) => {
    if (seen.has(x.name)) throw new ConfigError(`config key '${path}[${i}].name'`, x.name, 'duplicate name');
    seen.add(x.name);
  });
  return items;
}

const statusList: Parser<number[]> = (raw, key) => {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
  return items.map((x) => intRange(100, 599)(typeof x === 'string' ? x.trim() : x, key));
};

function parseCheck(raw: unknown, path: string, s: ProxySettings, sendProxy: ProxyProtocol): CheckConfig {
  const c = Section.of(raw ?? {}, path);
  const inter = c.get('inter', duration(10), s.checkInter);
  const check: CheckConfig = {
    type: c.get('type', oneOf('tcp', 'amqp', 'http', 'none'), s.check),
    inter,
    timeout: c.get('timeout', duration(1), inter),
    rise: c.get('rise', intRange(1, 100), s.checkRise),
    fall: c.get('fall', intRange(1, 100), s.checkFall),
    path: c.get('path', optionalText, '/'),
    expectStatus: c.get('expect-status', statusList, [200]),
    port: c.get('port', intRange(0, 65535), 0),
    sendProxy,
  };
  c.done();
  if (!check.path.startsWith('/')) throw new ConfigError(c.key('path'), check.path, 'expected a path starting with /');
  return check;
}

function parseBackend(raw: unknown, path: string): BackendConfig {
  // `host:port` or `name=host:port` is accepted where a mapping is expected (and from --backends).
  if (typeof raw === 'string') {
    const eq = raw.indexOf('=');
    const addr = endpoint()(eq >= 0 ? raw.slice(eq + 1) : raw, `config key '${path}'`);
    if (addr.host === '') throw new ConfigError(`config key '${path}'`, raw, 'expected host:port');
    const n = eq >= 0 ? name(raw.slice(0, eq), `config key '${path}'`) : raw;
    return { name: n, host: addr.host, port: addr.port, weight: 1, maxconn: 0, state: 'ready' };
  }
  const b = Section.of(raw, path);
  const addr = endpoint()(b.raw('address'), b.key('address'));
  if (addr.host === '') throw new ConfigError(b.key('address'), b.raw('address'), 'expected host:port');
  const out: BackendConfig = {
    name: b.get('name', name, `${addr.host}:${addr.port}`),
    host: addr.host,
    port: addr.port,
    weight: b.get('weight', intRange(0, 256), 1),
    maxconn: b.get('maxconn', intRange(0, 10_000_000), 0),
    state: b.get('state', oneOf('ready', 'drain', 'maint'), 'ready'),
  };
  b.done();
  return out;
}

export function parsePools(raw: unknown, s: ProxySettings): PoolConfig[] {
  const pools = list(raw, 'pools').map((item, i): PoolConfig => {
    const path = `pools[${i}]`;
    const p = Section.of(item, path);
    const backends = unique(
      list(p.raw('backends'), `${path}.backends`).map((x, j) => parseBackend(x, `${path}.backends[${j}]`)),
      `${path}.backends`,
    );
    const sendProxy = p.get('send-proxy', oneOf('off', 'v1', 'v2'), s.sendProxy);
    const pool: PoolConfig = {
      name: p.get('name', name, `pool${i + 1}`),
      balance: p.get('balance', oneOf('roundrobin', 'leastconn', 'source'), s.balance),
      sendProxy,
      connectTimeout: p.get('timeout-connect', duration(1), s.timeoutConnect),
      retries: p.get('retries', intRange(0, 100), 3),
      onMarkedDown: p.get('on-marked-down', oneOf('none', 'shutdown-sessions'), 'none'),
      slowStart: p.get('slow-start', duration(), 0),
      check: parseCheck(p.raw('check'), `${path}.check`, s, sendProxy),
      backends,
    };
    p.done();
    return pool;
  });
  unique(pools, 'pools');
  // Backend names are global: the admin API addresses a backend by name alone.
  const seen = new Map<string, string>();
  for (const p of pools) {
    for (const b of p.backends) {
      const other = seen.get(b.name);
      if (other) throw new ConfigError(`config key 'pools' backend name`, b.name, `used in both pool '${other}' and pool '${p.name}'; backend names must be unique`);
      seen.set(b.name, p.name);
    }
  }
  return pools;
}

export function parseFrontends(raw: unknown, s: ProxySettings, pools: PoolConfig[], vip: VipConfig): FrontendConfig[] {
  const defaultHost = vip.mode === 'bind' || vip.mode === 'linux' ? vip.address : '::';
  return unique(
    list(raw, 'frontends').map((item, i): FrontendConfig => {
      const path = `frontends[${i}]`;
      const f = Section.of(item, path);
      const listen = f.get('listen', endpointList(true), []);
      if (listen.length === 0) throw new ConfigError(f.key('listen'), f.raw('listen') ?? [], 'at least one listen address is needed');
      const onlyPool = pools.length === 1 ? pools[0]!.name : undefined;
      const pool = f.get('pool', name, onlyPool ?? '');
      if (!pools.some((p) => p.name === pool)) {
        throw new ConfigError(f.key('pool'), pool, pools.length ? `no such pool; pools: ${pools.map((p) => p.name).join(', ')}` : 'no pools are configured (pools or --backends)');
      }
      const fe: FrontendConfig = {
        name: f.get('name', name, `frontend${i + 1}`),
        listen: listen.map((e) => ({ host: e.host || defaultHost, port: e.port })),
        pool,
        maxconn: f.get('maxconn', intRange(0, 10_000_000), s.maxconn),
        idleTimeout: f.get('timeout-idle', duration(), s.timeoutIdle),
        keepalive: f.get('keepalive', duration(), 60_000),
        vip: f.get('vip', bool, vip.mode !== 'none'),
      };
      f.done();
      return fe;
    }),
    'frontends',
  );
}
