// Shared by crash.test.ts and redlock.test.ts: a consumer process killed with SIGKILL mid-handler.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/node.js';
import { channel, connect, consume, depth, idempotent, node, Runs, sleep, until, type Checks, type Scope } from './support.js';

const FIXTURE = join(ROOT, 'dist', 'test', 'idempotency', 'fixtures', 'crash-consumer.js');
const LEASE = 1500;

interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
}

function spawnConsumer(t: Scope, args: string[]): Child {
  // Without tap's NODE_OPTIONS loaders, which double the child's start-up time.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const proc = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
  });
  return { proc, lines };
}

async function kill9(child: Child): Promise<void> {
  const exited = new Promise((r) => child.proc.once('exit', r));
  process.kill(child.proc.pid!, 'SIGKILL');
  await exited;
}

export async function crashScenario(t: Checks, redisUrls: string[], namespace: string): Promise<void> {
  const n = await node(t);
  const conn = await connect(t, n.url);
  const pub = await channel(conn);
  const queue = `q.crash.${namespace}`;
  await pub.assertQueue(queue, { durable: false });
  const ids = ['pay-1', 'pay-2', 'pay-3'];
  for (const id of ids) pub.sendToQueue(queue, Buffer.from(id), { messageId: id });

  const child = spawnConsumer(t, [n.url, queue, namespace, String(LEASE), ...redisUrls]);
  t.ok(await until(() => child.lines.filter((l) => l.startsWith('RUNNING ')).length === ids.length, 30_000), 'the child claimed all three and is mid-handler');
  const childFences = child.lines.filter((l) => l.startsWith('RUNNING ')).map((l) => Number(l.split(' ')[2]));

  // Survivor starts while the child still holds the claims, then the child dies.
  const idem = idempotent(t, { redis: redisUrls.length === 1 ? redisUrls[0]! : redisUrls, namespace, leaseMs: LEASE });
  const runs = new Runs();
  const ran: number[] = [];
  const ch = await channel(conn);
  await consume(ch, queue, idem, (_m, ctx) => {
    runs.record(ctx.id, ctx);
    ran.push(Date.now());
  });
  await sleep(300); // let the child renew at least once more
  const killedAt = Date.now();
  await kill9(child);

  t.ok(await until(() => idem.stats.processed === ids.length, 15_000), 'every message processed again after the lease');
  for (const id of ids) t.equal(runs.count(id), 1, `${id} reprocessed exactly once`);
  t.ok(idem.stats.busy > 0, 'the survivor first saw the dead consumer\'s live claims and waited');
  t.ok(Math.min(...ran) - killedAt >= 100, `reprocessing waited for the lease (${Math.min(...ran) - killedAt} ms after kill)`);
  t.ok(Math.min(...runs.fences) > Math.max(...childFences), `new fencing tokens ${runs.fences.join(',')} exceed the dead owner's ${childFences.join(',')}`);
  await sleep(LEASE); // nothing else shows up
  t.equal(runs.total, ids.length, 'no further runs');
  await ch.close();
  t.equal(await depth(pub, queue), 0, 'all acked');
}

