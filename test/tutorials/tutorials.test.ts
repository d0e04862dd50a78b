/**
 * RabbitMQ's six Node.js tutorials (programs/, amqplib's callback API, as the tutorials present them)
 * run unchanged against a node started with the README's command, `npm start`: the programs connect to
 * amqp://localhost, take their arguments from the command line and print with console.log. Both run in a
 * fresh network namespace, where 5672 is the node's whatever holds it on this machine. The only setting
 * given is WARREN_DATA_DIR, so npm start's ./data is not the repository's. Assertions are on what the
 * programs print.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ROOT, tempDataDir } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';
import { netnsFor } from './netns.js';
import { childEnv, type Proc } from './proc.js';

// npm start compiles the TypeScript before it starts the node: minutes on a loaded machine
t.setTimeout(600_000);
const START_MS = 300_000;
/** How long a program may take to start, connect and print, on a loaded machine. */
const PRINT_MS = 30_000;
/** Long enough for a message that should not arrive to have arrived. */
const SETTLE_MS = 300;

const PROGRAMS = join(ROOT, 'test', 'tutorials', 'programs');

const { ns, skip } = await netnsFor(t, 'running the tutorials');
const data = tempDataDir();
const env = childEnv({ WARREN_DATA_DIR: data.dir });
const running: Proc[] = [];

t.teardown(async () => {
  for (const p of running.reverse()) await p.stop('SIGINT');
  data.remove();
});

/** `node <name> ...args` in the programs folder, as the tutorial runs it. */
function program(name: string, ...args: string[]): Proc {
  const p = ns!.spawn([process.execPath, name, ...args], { cwd: PROGRAMS, env });
  running.push(p);
  return p;
}

/** Runs a program that ends by itself (the senders, the RPC client): its lines, once it exited with 0. */
async function completes(t: Test, name: string, ...args: string[]): Promise<string[]> {
  const p = program(name, ...args);
  const code = await Promise.race([p.exited, sleep(PRINT_MS).then(() => 'still running')]);
  t.equal(code, 0, `${[name, ...args].join(' ')} exits 0`, { stderr: p.stderr() });
  return p.lines();
}

if (ns) {
  // what `npm start` prints once the node accepts AMQP connections (pino JSON at the default level)
  const node = ns.spawn(['npm', 'start'], { cwd: ROOT, env });
  running.push(node);
  await node.until(/"msg":"AMQP listener started"/, 1, START_MS);
}

t.test('1. "Hello World!": send.js, then receive.js', { skip }, async (t) => {
  t.same(await completes(t, 'send.js'), [' [x] Sent Hello World!']);
  const receive = program('receive.js');
  t.same(await receive.until(/Received/, 1, PRINT_MS), [' [x] Received Hello World!']);
  t.same(receive.lines(/Waiting/), [' [*] Waiting for messages in hello. To exit press CTRL+C']);
});

t.test('2. Work queues: with prefetch(1) a busy worker gets no more tasks', { skip }, async (t) => {
  const workers = [program('worker.js'), program('worker.js')];
  for (const w of workers) await w.until(/Waiting for messages in task_queue/, 1, PRINT_MS);
  // five dots: five seconds of work, longer than starting the quick tasks takes on a loaded machine
  const slowTask = 'Slow task.....';
  await completes(t, 'new_task.js', slowTask);
  await Promise.race(workers.map((w) => w.until(/Received Slow/, 1, PRINT_MS)));
  const slow = workers.find((w) => w.lines(/Received Slow/).length > 0)!;
  const free = workers.find((w) => w !== slow)!;
  const quick = ['First', 'Second', 'Third']; // no dots: done at once
  await Promise.all(quick.map((m) => completes(t, 'new_task.js', m)));
  await free.until(/Done/, quick.length, PRINT_MS);
  t.same(slow.lines(/Received/), [` [x] Received ${slowTask}`], 'the busy worker got nothing more');
  t.same(free.lines(/Received/).sort(), quick.map((m) => ` [x] Received ${m}`).sort(), 'the free worker took every quick task');
  await slow.until(/Done/, 1, PRINT_MS);
});

t.test('3. Publish/Subscribe: each receiver has its own server-named queue on the fanout exchange', { skip }, async (t) => {
  const receivers = [program('receive_logs.js'), program('receive_logs.js')];
  const queues = await Promise.all(receivers.map(async (r) => (await r.until(/Waiting for messages in amq\.gen-/, 1, PRINT_MS))[0]));
  t.not(queues[0], queues[1], 'two queues');
  t.same(await completes(t, 'emit_log.js'), [' [x] Sent Hello World!']);
  for (const r of receivers) t.same(await r.until(/\[x\]/, 1, PRINT_MS), [' [x] Hello World!']);
});

t.test('4. Routing: a direct exchange delivers by severity', { skip }, async (t) => {
  const errorsOnly = program('receive_logs_direct.js', 'error');
  const all = program('receive_logs_direct.js', 'info', 'warning', 'error');
  for (const r of [errorsOnly, all]) await r.until(/Waiting for logs/, 1, PRINT_MS);
  const severities = ['info', 'warning', 'error'];
  await Promise.all(severities.map((s) => completes(t, 'emit_log_direct.js', s, 'Run. Run. Or it will explode.')));
  const expected = severities.map((s) => ` [x] ${s}: 'Run. Run. Or it will explode.'`);
  t.same((await all.until(/\[x\]/, 3, PRINT_MS)).sort(), expected.sort());
  await errorsOnly.until(/\[x\]/, 1, PRINT_MS);
  await sleep(SETTLE_MS);
  t.same(errorsOnly.lines(/\[x\]/), [" [x] error: 'Run. Run. Or it will explode.'"]);
});

t.test('5. Topics: * and # over a topic exchange', { skip }, async (t) => {
  const bindings: Record<string, string[]> = { all: ['#'], kern: ['kern.*'], critical: ['*.critical'], both: ['kern.*', '*.critical'] };
  const receivers = Object.fromEntries(Object.entries(bindings).map(([name, keys]) => [name, program('receive_logs_topic.js', ...keys)]));
  for (const r of Object.values(receivers)) await r.until(/Waiting for logs/, 1, PRINT_MS);
  await Promise.all(['kern.critical', 'kern.info', 'cron.critical'].map((key) => completes(t, 'emit_log_topic.js', key, 'A critical kernel error')));
  await completes(t, 'emit_log_topic.js'); // anonymous.info, Hello World!
  const expected: Record<string, string[]> = {
    all: ['anonymous.info', 'cron.critical', 'kern.critical', 'kern.info'],
    kern: ['kern.critical', 'kern.info'],
    critical: ['cron.critical', 'kern.critical'],
    both: ['cron.critical', 'kern.critical', 'kern.info'],
  };
  for (const [name, keys] of Object.entries(expected)) await receivers[name]!.until(/\[x\]/, keys.length, PRINT_MS);
  await sleep(SETTLE_MS);
  for (const [name, keys] of Object.entries(expected)) {
    const got = receivers[name]!.lines(/\[x\]/).map((l) => l.replace(/^ \[x\] (.*?):'.*'$/, '$1'));
    t.same(got.sort(), keys, `${name} (${bindings[name]!.join(', ')})`);
  }
});

t.test('6. RPC: reply_to and correlation_id', { skip }, async (t) => {
  const server = program('rpc_server.js');
  await server.until(/Awaiting RPC requests/, 1, PRINT_MS);
  const answers = await Promise.all(['30', '10', '20'].map((n) => completes(t, 'rpc_client.js', n)));
  t.same(answers, [
    [' [x] Requesting fib(30)', ' [.] Got 832040'],
    [' [x] Requesting fib(10)', ' [.] Got 55'],
    [' [x] Requesting fib(20)', ' [.] Got 6765'],
  ]);
  t.same(server.lines(/fib/).sort(), [' [.] fib(10)', ' [.] fib(20)', ' [.] fib(30)']);
});
