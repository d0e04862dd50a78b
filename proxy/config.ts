import { hostname } from 'node:os';
import { bool, ConfigError, intRange, oneOf, type Parser, resolveConfig, type Schema, stringList } from '../shared/config.js';
import { parseFrontends, parsePools } from './config-sections.js';
import { duration, endpoint, endpointList, ipOrEmpty, optionalText, type Endpoint } from './config-values.js';

export type Balance = 'roundrobin' | 'leastconn' | 'source';
export type CheckType = 'tcp' | 'amqp' | 'http' | 'none';
export type ProxyProtocol = 'off' | 'v1' | 'v2';
export type VipMode = 'none' | 'bind' | 'linux' | 'kubernetes';
export type AdminState = 'ready' | 'drain' | 'maint';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CheckConfig {
  readonly type: CheckType;
  /** ms between checks (HAProxy `inter`, default 2000). */
  readonly inter: number;
  /** ms a check may take; defaults to inter. */
  readonly timeout: number;
  readonly rise: number;
  readonly fall: number;
  /** http: the path to GET and the status codes that count as healthy. */
  readonly path: string;
  readonly expectStatus: readonly number[];
  /** Port to check instead of the backend's own (0 = the backend's port). */
  readonly port: number;
  /**
   * The pool's `send-proxy`: a check of the backend's own port opens with a PROXY header in that version
   * (LOCAL / UNKNOWN: the proxy speaking for itself), as a backend that expects one refuses bytes without it.
   */
  readonly sendProxy: ProxyProtocol;
}

export interface BackendConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Most concurrent sessions (0 = unlimited). */
  readonly maxconn: number;
  /** Admin state at start (and after a reload that changes it). */
  readonly state: AdminState;
}

export interface PoolConfig {
  readonly name: string;
  readonly balance: Balance;
  readonly sendProxy: ProxyProtocol;
  readonly connectTimeout: number;
  /** Connection attempts after the first, each to another backend where one is left (HAProxy retries + redispatch). */
  readonly retries: number;
  readonly onMarkedDown: 'none' | 'shutdown-sessions';
  /** ms over which a backend that comes back up ramps from a small weight to its full weight (0 = off). */
  readonly slowStart: number;
  readonly check: CheckConfig;
  readonly backends: readonly BackendConfig[];
}

export interface FrontendConfig {
  readonly name: string;
  readonly listen: readonly Endpoint[];
  readonly pool: string;
  readonly maxconn: number;
  /** Close a session after this many ms with no byte in either direction (0 = never). */
  readonly idleTimeout: number;
  /** TCP keepalive probe delay in ms on both sockets (0 = off). */
  readonly keepalive: number;
  /** Whether the listeners follow the VIP (open only on the active); true for every frontend when a VIP is set. */
  readonly vip: boolean;
}

export interface VipConfig {
  readonly mode: VipMode;
  readonly address: string;
  readonly interface: string;
  readonly prefix: number;
  readonly priority: number;
  readonly preempt: boolean;
  readonly advertInterval: number;
  readonly deadAfter: number;
  readonly bind: Endpoint;
  readonly peers: readonly Endpoint[];
  readonly group: string;
  readonly id: string;
  readonly trackWeight: number;
  readonly authKey: string;
  readonly leaseTtl: number;
  readonly garpCount: number;
}

export interface ProxyConfig {
  readonly logLevel: LogLevel;
  readonly stats: Endpoint | null;
  readonly statsAdmin: boolean;
  readonly redisUrl: string;
  readonly shutdownGrace: number;
  readonly vip: VipConfig;
  readonly frontends: readonly FrontendConfig[];
  readonly pools: readonly PoolConfig[];
}

/** The flat settings: each is a file key, a flag and a WARREN_PROXY_* variable. */
export interface ProxySettings {
  logLevel: LogLevel;
  stats: Endpoint | null;
  statsAdmin: boolean;
  redisUrl: string;
  shutdownGrace: number;
  listen: Endpoint[];
  backends: string[];
  balance: Balance;
  check: CheckType;
  checkInter: number;
  checkRise: number;
  checkFall: number;
  sendProxy: ProxyProtocol;
  maxconn: number;
  timeoutConnect: number;
  timeoutIdle: number;
  vipMode: VipMode;
  vipAddress: string;
  vipInterface: string;
  vipPrefix: number;
  vipPriority: number;
  vipPreempt: boolean;
  vipAdvertInterval: number;
  vipDeadAfter: number;
  vipBind: Endpoint;
  vipPeers: Endpoint[];
  vipGroup: string;
  vipId: string;
  vipTrackWeight: number;
  vipAuthKey: string;
  vipLeaseTtl: number;
  vipGarpCount: number;
}

const statsEndpoint: Parser<Endpoint | null> = (raw, key) => (raw === '' || raw === 'off' || raw === false ? null : endpoint(true)(raw, key));
const env = (k: string): string => `WARREN_PROXY_${k}`;

export const PROXY_SCHEMA: Schema<ProxySettings> = {
  logLevel: { parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), default: 'info', env: env('LOG_LEVEL'), help: 'log level' },
  stats: { parse: statsEndpoint, default: { host: '127.0.0.1', port: 8404 }, env: env('STATS'), help: 'stats/admin HTTP address host:port, or off' },
  statsAdmin: { parse: bool, default: true, env: env('STATS_ADMIN'), help: 'allow POST /admin/... on the stats server' },
  redisUrl: { parse: optionalText, default: '', env: env('REDIS_URL'), help: 'Redis for the VIP lease (fencing); empty = none' },
  shutdownGrace: { parse: duration(), default: 10_000, env: env('SHUTDOWN_GRACE'), help: 'ms sessions may finish after SIGTERM' },
  listen: { parse: endpointList(true), default: [], env: env('LISTEN'), help: 'shorthand frontend: listen addresses' },
  backends: { parse: stringList, default: [], env: env('BACKENDS'), help: 'shorthand pool: [name=]host:port,...' },
  balance: { parse: oneOf('roundrobin', 'leastconn', 'source'), default: 'roundrobin', env: env('BALANCE'), help: 'default balance algorithm' },
  check: { parse: oneOf('tcp', 'amqp', 'http', 'none'), default: 'tcp', env: env('CHECK'), help: 'default health check' },
  checkInter: { parse: duration(10), default: 2000, env: env('CHECK_INTER'), help: 'default ms between checks' },
  checkRise: { parse: intRange(1, 100), default: 2, env: env('CHECK_RISE'), help: 'default checks passed to mark up' },
  checkFall: { parse: intRange(1, 100), default: 3, env: env('CHECK_FALL'), help: 'default checks failed to mark down' },
  sendProxy: { parse: oneOf('off', 'v1', 'v2'), default: 'off', env: env('SEND_PROXY'), help: 'default PROXY protocol header to backends' },
  maxconn: { parse: intRange(0, 10_000_000), default: 10_000, env: env('MAXCONN'), help: 'default frontend connection limit (0 = none)' },
  timeoutConnect: { parse: duration(1), default: 5000, env: env('TIMEOUT_CONNECT'), help: 'default ms to connect to a backend' },
  timeoutIdle: { parse: duration(), default: 0, env: env('TIMEOUT_IDLE'), help: 'default idle session timeout ms (0 = never)' },
  vipMode: { parse: oneOf('none', 'bind', 'linux', 'kubernetes'), default: 'none', env: env('VIP_MODE'), help: 'none, bind, linux or kubernetes' },
  vipAddress: { parse: ipOrEmpty, default: '', env: env('VIP_ADDRESS'), help: 'the virtual IP (bind and linux modes)' },
  vipInterface: { parse: optionalText, default: '', env: env('VIP_INTERFACE'), help: 'interface for the VIP (linux mode)' },
  vipPrefix: { parse: intRange(1, 128), default: 32, env: env('VIP_PREFIX'), help: 'VIP prefix length (linux mode)' },
  vipPriority: { parse: intRange(1, 254), default: 100, env: env('VIP_PRIORITY'), help: 'VRRP-like priority; highest wins' },
  vipPreempt: { parse: bool, default: true, env: env('VIP_PREEMPT'), help: 'take the VIP back from a lower-priority active' },
  vipAdvertInterval: { parse: duration(20, 60_000), default: 1000, env: env('VIP_ADVERT_INTERVAL'), help: 'ms between adverts' },
  vipDeadAfter: { parse: intRange(2, 100), default: 3, env: env('VIP_DEAD_AFTER'), help: 'missed adverts before the active is dead' },
  vipBind: { parse: endpoint(), default: { host: '0.0.0.0', port: 5399 }, env: env('VIP_BIND'), help: 'UDP address adverts are received on' },
  vipPeers: { parse: endpointList(), default: [], env: env('VIP_PEERS'), help: 'UDP addresses of the peer proxies' },
  vipGroup: { parse: optionalText, default: 'warren', env: env('VIP_GROUP'), help: 'pair name (like a VRRP router id)' },
  vipId: { parse: optionalText, default: '', env: env('VIP_ID'), help: 'this proxy\'s id (default hostname:bind-port)' },
  vipTrackWeight: { parse: intRange(0, 253), default: 50, env: env('VIP_TRACK_WEIGHT'), help: 'priority lost while a pool has no healthy backend' },
  vipAuthKey: { parse: optionalText, default: '', env: env('VIP_AUTH_KEY'), help: 'shared secret: adverts carry an HMAC' },
  vipLeaseTtl: { parse: duration(), default: 0, env: env('VIP_LEASE_TTL'), help: 'Redis lease ms (0 = dead-after x interval)' },
  vipGarpCount: { parse: intRange(0, 100), default: 3, env: env('VIP_GARP_COUNT'), help: 'gratuitous ARPs sent on taking the VIP (linux)' },
};

const NESTED = ['frontends', 'pools'];

/**
 * Resolves the whole configuration: flat settings from defaults < file < env < flags, then the file's
 * `frontends` and `pools` sections (or the --listen/--backends shorthand). Throws ConfigError, one line
 * naming the key and the bad value.
 */
export function resolveProxyConfig(sources: { file?: Record<string, unknown>; env: NodeJS.ProcessEnv; flags: Record<string, unknown> }): ProxyConfig {
  const file = { ...(sources.file ?? {}) };
  const nested: Record<string, unknown> = {};
  for (const k of NESTED) {
    if (k in file) nested[k] = file[k];
    delete file[k];
  }
  const s = resolveConfig(PROXY_SCHEMA, { file, env: sources.env, flags: sources.flags });
  const vip = vipConfig(s);
  let pools: PoolConfig[];
  let frontends: FrontendConfig[];
  if (nested['pools'] !== undefined || nested['frontends'] !== undefined) {
    if (s.backends.length > 0) throw new ConfigError('backends', s.backends.join(','), 'cannot be combined with pools in the config file');
    if (s.listen.length > 0) throw new ConfigError('listen', s.listen.map((e) => `${e.host}:${e.port}`).join(','), 'cannot be combined with frontends in the config file');
    pools = parsePools(nested['pools'], s);
    frontends = parseFrontends(nested['frontends'], s, pools, vip);
  } else {
    pools = parsePools(s.backends.length ? [{ name: 'default', backends: s.backends }] : [], s);
    frontends = parseFrontends(s.listen.length ? [{ name: 'default', listen: s.listen.map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`) }] : [], s, pools, vip);
  }
  if (frontends.length === 0) throw new ConfigError('frontends', [], 'at least one frontend is needed: a frontends section or --listen');
  return { logLevel: s.logLevel, stats: s.stats, statsAdmin: s.statsAdmin, redisUrl: s.redisUrl, shutdownGrace: s.shutdownGrace, vip, frontends, pools };
}

function vipConfig(s: ProxySettings): VipConfig {
  if ((s.vipMode === 'bind' || s.vipMode === 'linux') && s.vipAddress === '') throw new ConfigError('vip-address', s.vipAddress, `needed in ${s.vipMode} mode`);
  if (s.vipMode === 'linux' && s.vipInterface === '') throw new ConfigError('vip-interface', s.vipInterface, 'needed in linux mode');
  if (s.vipMode === 'linux' && !/^[A-Za-z0-9_.@-]{1,15}$/.test(s.vipInterface)) throw new ConfigError('vip-interface', s.vipInterface, 'expected an interface name');
  if (s.vipMode !== 'none' && s.vipPeers.length === 0) throw new ConfigError('vip-peers', [], 'at least one peer is needed for an active/standby pair');
  if (s.vipTrackWeight >= s.vipPriority && s.vipTrackWeight > 0 && s.vipMode !== 'none') {
    throw new ConfigError('vip-track-weight', s.vipTrackWeight, `must be below vip-priority (${s.vipPriority})`);
  }
  const leaseTtl = s.vipLeaseTtl || s.vipDeadAfter * s.vipAdvertInterval;
  if (s.redisUrl !== '' && leaseTtl < 2 * s.vipAdvertInterval) {
    throw new ConfigError('vip-lease-ttl', s.vipLeaseTtl, `must be at least two advert intervals (${2 * s.vipAdvertInterval} ms): the active renews once per interval`);
  }
  return {
    mode: s.vipMode,
    address: s.vipAddress,
    interface: s.vipInterface,
    prefix: s.vipPrefix,
    priority: s.vipPriority,
    preempt: s.vipPreempt,
    advertInterval: s.vipAdvertInterval,
    deadAfter: s.vipDeadAfter,
    bind: s.vipBind,
    peers: s.vipPeers,
    group: s.vipGroup,
    id: s.vipId || `${hostname()}:${s.vipBind.port}`,
    trackWeight: s.vipTrackWeight,
    authKey: s.vipAuthKey,
    leaseTtl,
    garpCount: s.vipGarpCount,
  };
}
