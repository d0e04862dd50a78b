// Per-message cost of idempotent consumption next to plain consumption (a benchmark, not a test).
//
//   npx tsc -p . && node bench/idempotency.mjs [messages=20000] [prefetch=100] [mode filter, e.g. "1 Redis"]
//
// Starts a Warren node (a separate process, so the CPU figures below are the consumer's alone) and
// redis-server processes on free loopback ports; pre-fills a queue with N messages with distinct
// message-ids; then times draining it with amqplib: plain acks, then through warren/idempotency with one
// Redis (with and without ioredis auto-pipelining) and with Redlock over three Redis servers.
// Reported per message: wall time, consumer CPU, Redis CPU, Redis commands, and Redis round trips
// (socket writes to Redis; pipelining puts several commands in one write).
import net from 'node:net';
import amqp from 'amqplib';
import { spawnNode } from '../dist/test/helpers/node.js';
import { startRedis, redisSkip } from '../dist/test/helpers/redis.js';
import { amqplibHandler, IdempotentConsumer } from '../dist/shared/idempotency/index.js';
import { connectRedis } from '../dist/shared/redis/index.js';

const N = Number(process.argv[2] ?? 20000);
const PREFETCH = Number(process.argv[3] ?? 100);
const FILTER = process.argv[4];
if (redisSkip) {
  console.error(`bench: ${redisSkip}`);
  process.exit(1);
}

// Count socket writes to the Redis ports (amqplib's socket goes elsewhere).
const redisPorts = new Set();
let redisWrites = 0;
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  if (redisPorts.has(this.remotePort)) redisWrites++;
  return write.apply(this, args);
};

async function redisStats(urls) {
  let commands = 0;
  let cpu = 0;
  for (const url of urls) {
    const { client } = connectRedis(url);
    await new Promise((r) => client.once('ready', r));
    const info = await client.info();
    client.disconnect();
    commands += Number(/total_commands_processed:(\d+)/.exec(info)[1]) - 1; // minus this INFO
    cpu += Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
  }
  return { commands, cpu };
}

async function fill(ch, queue) {
  await ch.assertQueue(queue, { durable: false });
  await ch.purgeQueue(queue);
  const body = Buffer.alloc(16, 'x');
  for (let i = 0; i < N; i++) {
    if (!ch.sendToQueue(queue, body, { messageId: `${queue}-${i}` })) await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
}

/** Drains the queue with `makeHandler(channel, onDone)`; returns per-message figures. */
async function run(name, url, redisUrls, makeHandler) {
  const conn = await amqp.connect(url);
  const pub = await conn.createConfirmChannel();
  const queue = `bench.${name.replace(/\W+/g, '-')}`;
  await fill(pub, queue);
  const ch = await conn.createChannel();
  await ch.prefetch(PREFETCH);
  let done = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const onDone = () => {
    if (++done === N) finish();
  };
  const handler = await makeHandler(ch, onDone);
  const r0 = await redisStats(redisUrls);
  const w0 = redisWrites;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await ch.consume(queue, handler, { noAck: false });
  await finished;
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const cpu = process.cpuUsage(c0);
  const writes = redisWrites - w0;
  const r1 = await redisStats(redisUrls);
  await conn.close();
  return {
    mode: name,
    'msg/s': Math.round((N / wall) * 1e6),
    'wall us/msg': (wall / N).toFixed(1),
    'consumer CPU us/msg': ((cpu.user + cpu.system) / N).toFixed(1),
    'redis CPU us/msg': (((r1.cpu - r0.cpu) * 1e6) / N).toFixed(1),
    'redis cmds/msg': ((r1.commands - r0.commands) / N).toFixed(2),
    'redis round trips/msg': (writes / N).toFixed(2),
  };
}

function idempotentMode(redis, autoPipelining) {
  return async (ch, onDone) => {
    const targets = redis.map((url) => connectRedis(url, { autoPipelining }).client);
    const idem = new IdempotentConsumer({ redis: targets.length === 1 ? targets[0] : targets, namespace: `bench${Date.now()}` });
    await idem.ready();
    cleanups.push(async () => {
      await idem.close();
      for (const c of targets) c.disconnect();
    });
    return amqplibHandler(idem, ch, () => onDone());
  };
}

const cleanups = [];
const node = await spawnNode([], { WARREN_LOG_LEVEL: 'error' });
const servers = await Promise.all([startRedis(), startRedis(), startRedis()]);
for (const s of servers) redisPorts.add(s.port);
const one = [servers[0].url];
const all = servers.map((s) => s.url);
try {
  const modes = [
    ['plain ack', [], async (ch, onDone) => (msg) => {
      ch.ack(msg);
      onDone();
    }],
    ['idempotent, 1 Redis', one, idempotentMode(one, false)],
    ['idempotent, 1 Redis, auto-pipelining', one, idempotentMode(one, true)],
    ['idempotent, Redlock x3', all, idempotentMode(all, false)],
    ['idempotent, Redlock x3, auto-pipelining', all, idempotentMode(all, true)],
  ];
  const rows = [];
  for (const [name, urls, make] of modes) {
    if (FILTER === undefined || name.includes(FILTER)) rows.push(await run(name, node.url, urls, make));
  }
  console.log(`warren/idempotency: ${N} messages of 16 bytes, prefetch ${PREFETCH}, amqplib, no-op handler, Node ${process.version}`);
  console.table(rows);
} finally {
  for (const c of cleanups) await c();
  await node.stop();
  for (const s of servers) await s.kill();
}
