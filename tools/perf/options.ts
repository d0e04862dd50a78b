import { parseArgs } from 'node:util';

/** Everything warren-perf was asked to do; plain data so it can be handed to worker threads. */
export interface PerfOptions {
  host: string;
  port: number;
  user: string;
  pass: string;
  vhost: string;
  producers: number;
  consumers: number;
  size: number;
  seconds: number;
  warmup: number;
  queue: string;
  queues: number;
  exchange: string;
  exchangeType: string;
  routingKey: string | null;
  durable: boolean;
  persistent: boolean;
  confirm: number;
  prefetch: number;
  autoack: boolean;
  ackEvery: number;
  queueArgs: [string, string][];
  publishOnly: boolean;
  consumeOnly: boolean;
  rate: number;
  priorityRandom: number;
  batch: number;
  declare: boolean;
  purge: boolean;
  deleteAfter: boolean;
  idleMs: number;
  drainMax: number;
  count: number;
  monitorPids: number[];
  threads: number;
  idleConnections: number;
  label: string;
  quiet: boolean;
}

export const USAGE = `usage: warren-perf [options]

An AMQP 0-9-1 load generator on Warren's own codec. Prints a progress line each second on stderr and one
JSON result line on stdout.

  --uri URI                  amqp://user:pass@host:port/vhost (default amqp://guest:guest@127.0.0.1:5672/%2F)
  --producers N --consumers N   one connection each (default 1 / 1), spread over worker threads
  --size BYTES               body size, >= 16 (default 16); the send time travels in the body
  --seconds S --warmup W     measured window and warm-up before it (default 15 / 0)
  --queue NAME --queues Q    queue name; Q > 1 gives NAME-0..NAME-(Q-1), producer i -> i%Q, consumer j -> j%Q
  --exchange X --exchange-type T --routing-key K   publish to X, queues bound with K (default: default exchange)
  --durable --persistent     durable queues and exchange; delivery-mode 2
  --confirm W                publisher confirms, at most W unconfirmed per producer
  --prefetch N --autoack --ack-every K   consumer settings (manual acks with multiple=true every K; default 1)
  --queue-arg k=v            queue argument (integer -> long, true/false -> bool, else string); repeatable
  --priority-random N        random priority 0..N-1 per message
  --rate R                   messages per second per producer (default unlimited)
  --count N                  each producer stops after N messages
  --publish-only --consume-only
  --batch N                  publishes encoded per socket write (default 32)
  --no-declare --purge --delete-after
  --idle-ms MS --drain-max S consumers stop after the window when idle MS (default 1000) or after S (default 10)
  --monitor-pid PID          report CPU% and RSS of PID over the window (repeatable)
  --threads N                worker threads (default: one per client up to 8 clients, else 4)
  --idle-connections N       instead of traffic: open N connections with one channel each, hold them for
                             --seconds, report the RSS growth of each --monitor-pid per connection
  --label TEXT --quiet       label echoed in the result; no progress lines
`;

export class UsageError extends Error {}

function num(name: string, v: string | undefined, def: number, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`invalid --${name}: "${v}"`);
  return n;
}

function parseUri(uri: string): Pick<PerfOptions, 'host' | 'port' | 'user' | 'pass' | 'vhost'> {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new UsageError(`invalid --uri: "${uri}"`);
  }
  if (u.protocol !== 'amqp:') throw new UsageError(`invalid --uri: "${uri}" (only amqp:// is supported)`);
  const path = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 5672,
    user: u.username ? decodeURIComponent(u.username) : 'guest',
    pass: u.password ? decodeURIComponent(u.password) : 'guest',
    vhost: path === '' ? '/' : decodeURIComponent(path),
  };
}

const STRING = { type: 'string' } as const;
const BOOL = { type: 'boolean' } as const;

export function parseOptions(argv: string[]): PerfOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      uri: STRING, producers: STRING, consumers: STRING, size: STRING, seconds: STRING, warmup: STRING,
      queue: STRING, queues: STRING, exchange: STRING, 'exchange-type': STRING, 'routing-key': STRING,
      durable: BOOL, persistent: BOOL, confirm: STRING, prefetch: STRING, autoack: BOOL, 'ack-every': STRING,
      'queue-arg': { type: 'string', multiple: true }, 'publish-only': BOOL, 'consume-only': BOOL, rate: STRING,
      'priority-random': STRING, batch: STRING, 'no-declare': BOOL, purge: BOOL, 'delete-after': BOOL,
      'idle-ms': STRING, 'drain-max': STRING, count: STRING, 'monitor-pid': { type: 'string', multiple: true },
      threads: STRING, 'idle-connections': STRING, label: STRING, quiet: BOOL, help: BOOL,
    },
  });
  if (v.help) return 'help';
  const queueArgs: [string, string][] = (v['queue-arg'] ?? []).map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --queue-arg: "${kv}" (expected k=v)`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
  const o: PerfOptions = {
    ...parseUri(v.uri ?? 'amqp://guest:guest@127.0.0.1:5672/%2F'),
    producers: num('producers', v.producers, 1),
    consumers: num('consumers', v.consumers, 1),
    size: num('size', v.size, 16, 16),
    seconds: num('seconds', v.seconds, 15),
    warmup: num('warmup', v.warmup, 0),
    queue: v.queue ?? 'warren-perf',
    queues: Math.max(1, num('queues', v.queues, 1)),
    exchange: v.exchange ?? '',
    exchangeType: v['exchange-type'] ?? 'direct',
    routingKey: v['routing-key'] ?? null,
    durable: v.durable ?? false,
    persistent: v.persistent ?? false,
    confirm: num('confirm', v.confirm, 0),
    prefetch: num('prefetch', v.prefetch, 0),
    autoack: v.autoack ?? false,
    ackEvery: Math.max(1, num('ack-every', v['ack-every'], 1)),
    queueArgs,
    publishOnly: v['publish-only'] ?? false,
    consumeOnly: v['consume-only'] ?? false,
    rate: num('rate', v.rate, 0),
    priorityRandom: num('priority-random', v['priority-random'], 0),
    batch: Math.max(1, num('batch', v.batch, 32)),
    declare: !(v['no-declare'] ?? false),
    purge: v.purge ?? false,
    deleteAfter: v['delete-after'] ?? false,
    idleMs: num('idle-ms', v['idle-ms'], 1000),
    drainMax: num('drain-max', v['drain-max'], 10),
    count: num('count', v.count, 0),
    monitorPids: (v['monitor-pid'] ?? []).map((p) => num('monitor-pid', p, 0, 1)),
    threads: num('threads', v.threads, 0),
    idleConnections: num('idle-connections', v['idle-connections'], 0),
    label: v.label ?? '',
    quiet: v.quiet ?? false,
  };
  if (o.publishOnly) o.consumers = 0;
  if (o.consumeOnly) o.producers = 0;
  if (o.prefetch > 65535) o.prefetch = 65535;
  return o;
}

/** Queue i of the run's queues. */
export function queueName(o: PerfOptions, i: number): string {
  return o.queues <= 1 ? o.queue : `${o.queue}-${i % o.queues}`;
}
