import { bool, ConfigError, fraction, intRange, oneOf, port, stringList, text, type Parser, type Schema } from '../shared/config.js';

export interface NodeConfig {
  amqpPort: number;
  amqpHost: string;
  mgmtPort: number;
  mgmtHost: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  defaultUser: string;
  defaultPass: string;
  defaultVhost: string;
  loopbackUsers: string[];
  heartbeat: number;
  frameMax: number;
  channelMax: number;
  maxMessageSize: number;
  handshakeTimeout: number;
  consumerTimeout: number;
  segmentSize: number;
  memoryHighWatermark: number;
  memoryPagingRatio: number;
  diskFreeLimit: number;
  /** Where deduplication exchanges keep their caches (shared by every node using it); null: on the node. */
  redisUrl: string | null;
  /** While that Redis is unavailable: hold the publishes that need it (wait) or refuse them (reject). */
  dedupRedisUnavailable: 'wait' | 'reject';
  /** Every AMQP connection starts with a PROXY protocol header (v1 or v2) naming the real client. */
  proxyProtocol: boolean;
  /** The AMQP-over-TLS listener's port (RabbitMQ's listeners.ssl); null: none. */
  amqpsPort: number | null;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
  /** CA certificates that client certificates are checked against (ssl_options.cacertfile). */
  tlsCaFile: string | null;
  tlsVerify: 'none' | 'peer';
  tlsFailIfNoPeerCert: boolean;
}

/** A setting that may be left unset: absent or empty is null. */
const optional =
  <T>(parse: Parser<T>): Parser<T | null> =>
  (raw, key) =>
    raw === '' || raw === null ? null : parse(raw, key);

/** A redis:// or rediss:// URL with a host. */
const redisUrl: Parser<string> = (raw, key) => {
  let url: URL | null = null;
  try {
    url = typeof raw === 'string' ? new URL(raw) : null;
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new ConfigError(key, raw, 'expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
  }
  return raw as string;
};

export const NODE_SCHEMA: Schema<NodeConfig> = {
  amqpPort: { parse: port, default: 5672, env: 'WARREN_AMQP_PORT', help: 'AMQP listening port (0 = any free port)' },
  amqpHost: { parse: text, default: '::', env: 'WARREN_AMQP_HOST', help: 'AMQP listening address' },
  mgmtPort: { parse: port, default: 15672, env: 'WARREN_MGMT_PORT', help: 'management HTTP API and web UI port (0 = any free port)' },
  mgmtHost: { parse: text, default: '::', env: 'WARREN_MGMT_HOST', help: 'management listening address' },
  dataDir: { parse: text, default: './data', env: 'WARREN_DATA_DIR', help: 'folder for the node\'s data' },
  logLevel: {
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    default: 'info',
    env: 'WARREN_LOG_LEVEL',
    help: 'log level',
  },
  defaultUser: { parse: text, default: 'guest', env: 'WARREN_DEFAULT_USER', help: 'user created on first start' },
  defaultPass: { parse: text, default: 'guest', env: 'WARREN_DEFAULT_PASS', help: 'password of the default user' },
  defaultVhost: { parse: text, default: '/', env: 'WARREN_DEFAULT_VHOST', help: 'vhost created on first start' },
  loopbackUsers: { parse: stringList, default: ['guest'], env: 'WARREN_LOOPBACK_USERS', help: 'users allowed to log in from loopback only' },
  heartbeat: { parse: intRange(0, 65535), default: 60, env: 'WARREN_HEARTBEAT', help: 'heartbeat seconds offered to clients' },
  frameMax: { parse: intRange(4096, 1 << 24), default: 131072, env: 'WARREN_FRAME_MAX', help: 'largest frame in bytes' },
  channelMax: { parse: intRange(1, 65535), default: 2047, env: 'WARREN_CHANNEL_MAX', help: 'most channels per connection' },
  maxMessageSize: {
    parse: intRange(1, 512 * 1024 * 1024),
    default: 128 * 1024 * 1024,
    env: 'WARREN_MAX_MESSAGE_SIZE',
    help: 'largest message body in bytes',
  },
  handshakeTimeout: { parse: intRange(100, 600_000), default: 10_000, env: 'WARREN_HANDSHAKE_TIMEOUT', help: 'ms to complete the AMQP handshake' },
  consumerTimeout: {
    parse: intRange(0, 2 ** 31 - 1),
    default: 30 * 60 * 1000,
    env: 'WARREN_CONSUMER_TIMEOUT',
    help: 'ms a delivery may stay unacknowledged before its channel is closed (0 = never)',
  },
  segmentSize: {
    parse: intRange(4096, 1 << 30),
    default: 64 * 1024 * 1024,
    env: 'WARREN_SEGMENT_SIZE',
    help: 'bytes per message store segment file',
  },
  memoryHighWatermark: {
    parse: fraction,
    default: 0.4,
    env: 'WARREN_MEMORY_HIGH_WATERMARK',
    help: 'fraction of system memory above which publishers are blocked',
  },
  memoryPagingRatio: {
    parse: fraction,
    default: 0.5,
    env: 'WARREN_MEMORY_PAGING_RATIO',
    help: 'fraction of the memory watermark above which queues page messages to disk',
  },
  diskFreeLimit: {
    parse: intRange(0, Number.MAX_SAFE_INTEGER),
    default: 50 * 1024 * 1024,
    env: 'WARREN_DISK_FREE_LIMIT',
    help: 'free bytes on the data disk below which publishers are blocked',
  },
  redisUrl: {
    parse: optional(redisUrl),
    default: null,
    env: 'WARREN_REDIS_URL',
    help: 'Redis for the deduplication exchanges\' caches, shared across nodes (none: kept on the node)',
  },
  dedupRedisUnavailable: {
    parse: oneOf('wait', 'reject'),
    default: 'wait',
    env: 'WARREN_DEDUP_REDIS_UNAVAILABLE',
    help: 'while that Redis is unavailable, publishes needing it wait (blocking the publisher) or are rejected',
  },
  proxyProtocol: {
    parse: bool,
    default: false,
    env: 'WARREN_PROXY_PROTOCOL',
    help: 'AMQP connections start with a PROXY protocol v1/v2 header (from warren-proxy or HAProxy); without one they are closed',
  },
  amqpsPort: { parse: optional(port), default: null, env: 'WARREN_AMQPS_PORT', help: 'AMQP over TLS listening port, on amqp-host (unset = no TLS listener; 5671 is usual)' },
  tlsCertFile: { parse: optional(text), default: null, env: 'WARREN_TLS_CERT_FILE', help: 'PEM certificate (chain) of the AMQPS listener' },
  tlsKeyFile: { parse: optional(text), default: null, env: 'WARREN_TLS_KEY_FILE', help: 'PEM private key of that certificate' },
  tlsCaFile: { parse: optional(text), default: null, env: 'WARREN_TLS_CA_FILE', help: 'PEM CA certificates client certificates are verified against' },
  tlsVerify: { parse: oneOf('none', 'peer'), default: 'none', env: 'WARREN_TLS_VERIFY', help: 'peer: ask clients for a certificate and refuse one that does not verify' },
  tlsFailIfNoPeerCert: { parse: bool, default: false, env: 'WARREN_TLS_FAIL_IF_NO_PEER_CERT', help: 'with tls-verify peer, also refuse clients that send no certificate' },
};

/**
 * WARREN_* variables that belong to the other Warren commands (warren-proxy, warrenctl), which often
 * share the node's shell or pod: not typos of node settings, so not warned about.
 */
export const OTHER_PROGRAMS_ENV = ['WARREN_PROXY_', 'WARREN_MGMT_URL'] as const;
