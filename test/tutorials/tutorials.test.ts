/**
 * RabbitMQ's six tutorials (javascript-nodejs, amqplib callback API) against a node started the way the
 * README starts one: `node dist/node/main.js` as its own process. Each program body is the tutorial's
 * code; the only changes are `console.log` going to a captured console, the work-queue "second" scaled
 * down, and errors failing the test instead of being thrown. Assertions are on what consumers print.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import amqp, { type Channel, type Connection, type Message } from 'amqplib/callback_api';
import t from 'tap';
import { spawnNode } from '../helpers/node.js';
import { sleep, until, within } from '../node/broker/helpers.js';

const broker = await spawnNode();
const opened: Connection[] = [];
t.teardown(async () => {
  for (const c of opened) await within(new Promise<void>((resolve) => c.close(() => resolve())), 'close').catch(() => {});
  await broker.stop();
});

/** A tutorial program's console: the lines it printed, and errors that would have been thrown. */
class Console {
  readonly lines: string[] = [];
  readonly errors: Error[] = [];
  private wake: (() => void)[] = [];
  log = (fmt: string, ...args: unknown[]): void => {
    this.lines.push(format(fmt, ...args));
    for (const w of this.wake.splice(0)) w();
  };
  fail = (e: Error): void => {
    this.errors.push(e);
    this.log('ERROR %s', e.message);
  };
  matching(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l));
  }
  /** Resolves once `n` printed lines match `re`. */
  async until(re: RegExp, n = 1): Promise<string[]> {
    const seen = (): boolean => this.matching(re).length >= n || this.errors.length > 0;
    const printed = (async () => {
      while (!seen()) await new Promise<void>((resolve) => this.wake.push(resolve));
    })();
    await within(printed, `${n} line(s) matching ${re}`).catch((e: Error) => {
      throw new Error(`${e.message}; printed so far: ${JSON.stringify(this.lines)}`);
    });
    return this.matching(re);
  }
}

/** How every tutorial program starts: connect, create a channel, then run its body. */
function program(out: Console, body: (channel: Channel) => void): Console {
  amqp.connect(broker.url, (error0, connection) => {
    if (error0) return out.fail(error0);
    opened.push(connection);
    connection.on('error', out.fail);
    connection.createChannel((error1, channel) => {
      if (error1) return out.fail(error1);
      channel.on('error', out.fail);
      body(channel);
    });
  });
  return out;
}

/** Long enough for a message that should not arrive to have arrived. */
const SETTLE_MS = 200;

t.test('1. "Hello World!": send.js, then receive.js', async (t) => {
  const send = program(new Console(), (channel) => {
    const queue = 'hello';
    const msg = 'Hello World!';
    channel.assertQueue(queue, { durable: false });
    channel.sendToQueue(queue, Buffer.from(msg));
    send.log(' [x] Sent %s', msg);
  });
  await send.until(/Sent/);
  const receive = program(new Console(), (channel) => {
    const queue = 'hello';
    channel.assertQueue(queue, { durable: false });
    receive.log(' [*] Waiting for messages in %s. To exit press CTRL+C', queue);
    channel.consume(queue, (msg) => receive.log(' [x] Received %s', msg!.content.toString()), { noAck: true });
  });
  t.same(await receive.until(/Received/), [' [x] Received Hello World!']);
});

t.test('2. Work queues: prefetch(1) and manual ack give fair dispatch', async (t) => {
  const SECOND = 50; // the tutorial's 1000 ms per dot, scaled down
  const worker = (): Console => {
    const out = program(new Console(), (channel) => {
      const queue = 'task_queue';
      channel.assertQueue(queue, { durable: true });
      channel.prefetch(1);
      channel.consume(
        queue,
        (msg) => {
          const secs = msg!.content.toString().split('.').length - 1;
          out.log(' [x] Received %s', msg!.content.toString());
          setTimeout(() => {
            out.log(' [x] Done');
            channel.ack(msg!);
          }, secs * SECOND);
        },
        { noAck: false },
        () => out.log(' [*] Waiting for messages in %s. To exit press CTRL+C', queue),
      );
    });
    return out;
  };
  const newTask = (msg: string): Console => {
    const out = program(new Console(), (channel) => {
      const queue = 'task_queue';
      channel.assertQueue(queue, { durable: true });
      channel.sendToQueue(queue, Buffer.from(msg), { persistent: true });
      out.log(" [x] Sent '%s'", msg);
    });
    return out;
  };
  const workers = [worker(), worker()];
  for (const w of workers) await w.until(/Waiting/);
  newTask('Slow task' + '.'.repeat(60)); // busy for 3 s: long enough for four quick tasks on a loaded machine
  const busy = (w: Console): boolean => w.matching(/Slow/).length > 0;
  await until(() => workers.some(busy), 'the slow task to start');
  const slow = workers.find(busy)!;
  const quick = ['First.', 'Second.', 'Third.', 'Fourth.'];
  for (const m of quick) newTask(m);
  const other = workers.find((w) => w !== slow)!;
  await other.until(/Done/, 4);
  t.same(slow.matching(/Received/), [` [x] Received Slow task${'.'.repeat(60)}`], 'the busy worker got nothing more');
  t.same(other.matching(/Received/).sort(), quick.map((m) => ` [x] Received ${m}`).sort(), 'the free worker took every quick task');
  await slow.until(/Done/);
});

/** receive_logs*.js: an exclusive server-named queue bound to `exchange` with each key. */
function receiveLogs(exchange: string, type: string, keys: string[], withKey: boolean): Console {
  const out = program(new Console(), (channel) => {
    channel.assertExchange(exchange, type, { durable: false });
    channel.assertQueue('', { exclusive: true }, (error2, q) => {
      if (error2) return out.fail(error2);
      for (const key of keys) channel.bindQueue(q.queue, exchange, key);
      channel.consume(
        q.queue,
        (msg) => {
          if (withKey) out.log(" [x] %s:'%s'", msg!.fields.routingKey, msg!.content.toString());
          else if (msg!.content) out.log(' [x] %s', msg!.content.toString());
        },
        { noAck: true },
        () => out.log(' [*] Waiting for logs in %s. To exit press CTRL+C', q.queue),
      );
    });
  });
  return out;
}

/** emit_log*.js: one message to `exchange` with routing key `key`. */
function emitLog(exchange: string, type: string, key: string, msg: string): Console {
  const out = program(new Console(), (channel) => {
    channel.assertExchange(exchange, type, { durable: false });
    channel.publish(exchange, key, Buffer.from(msg));
    out.log(" [x] Sent %s:'%s'", key, msg);
  });
  return out;
}

async function ready(receivers: Console[]): Promise<void> {
  for (const r of receivers) await r.until(/Waiting for logs in amq\.gen-/);
}

t.test('3. Publish/Subscribe: a fanout exchange and exclusive server-named queues', async (t) => {
  const receivers = [receiveLogs('logs', 'fanout', [''], false), receiveLogs('logs', 'fanout', [''], false)];
  await ready(receivers);
  const queues = receivers.map((r) => r.matching(/Waiting/)[0]);
  t.not(queues[0], queues[1], 'each receiver has its own queue');
  emitLog('logs', 'fanout', '', 'info: Hello World!');
  for (const r of receivers) t.same(await r.until(/\[x\]/), [' [x] info: Hello World!']);
});

t.test('4. Routing: a direct exchange and severities', async (t) => {
  const errorsOnly = receiveLogs('direct_logs', 'direct', ['error'], true);
  const all = receiveLogs('direct_logs', 'direct', ['info', 'warning', 'error'], true);
  await ready([errorsOnly, all]);
  for (const severity of ['info', 'warning', 'error']) emitLog('direct_logs', 'direct', severity, `Run. Run. Or it will explode. (${severity})`);
  const got = await all.until(/\[x\]/, 3);
  t.same(got.sort(), ['info', 'warning', 'error'].map((s) => ` [x] ${s}:'Run. Run. Or it will explode. (${s})'`).sort());
  await errorsOnly.until(/\[x\]/);
  await sleep(SETTLE_MS);
  t.same(errorsOnly.matching(/\[x\]/), [" [x] error:'Run. Run. Or it will explode. (error)'"]);
});

t.test('5. Topics: * and # over a topic exchange', async (t) => {
  const bindings: Record<string, string[]> = {
    all: ['#'],
    kern: ['kern.*'],
    critical: ['*.critical'],
    both: ['kern.*', '*.critical'],
  };
  const receivers = Object.fromEntries(Object.entries(bindings).map(([name, keys]) => [name, receiveLogs('topic_logs', 'topic', keys, true)]));
  await ready(Object.values(receivers));
  const keys = ['kern.critical', 'anonymous.info', 'kern.info', 'cron.critical'];
  for (const key of keys) emitLog('topic_logs', 'topic', key, 'A critical kernel error');
  const expected: Record<string, string[]> = {
    all: keys,
    kern: ['kern.critical', 'kern.info'],
    critical: ['kern.critical', 'cron.critical'],
    both: ['kern.critical', 'kern.info', 'cron.critical'],
  };
  for (const [name, want] of Object.entries(expected)) await receivers[name]!.until(/\[x\]/, want.length);
  await sleep(SETTLE_MS);
  for (const [name, want] of Object.entries(expected)) {
    const got = receivers[name]!.matching(/\[x\]/).map((l) => l.replace(/^ \[x\] (.*):'.*'$/, '$1'));
    t.same(got.sort(), [...want].sort(), `${name} (${bindings[name]!.join(', ')})`);
  }
});

t.test('6. RPC: reply_to and correlation_id', async (t) => {
  function fibonacci(n: number): number {
    if (n === 0 || n === 1) return n;
    return fibonacci(n - 1) + fibonacci(n - 2);
  }
  const server = program(new Console(), (channel) => {
    const queue = 'rpc_queue';
    channel.assertQueue(queue, { durable: false });
    channel.prefetch(1);
    channel.consume(
      queue,
      function reply(msg) {
        const n = parseInt(msg!.content.toString());
        server.log(' [.] fib(%d)', n);
        const r = fibonacci(n);
        channel.sendToQueue(msg!.properties.replyTo, Buffer.from(r.toString()), { correlationId: msg!.properties.correlationId });
        channel.ack(msg!);
      },
      {},
      () => server.log(' [x] Awaiting RPC requests'),
    );
  });
  await server.until(/Awaiting/);
  const client = (num: number): Console => {
    const out = program(new Console(), (channel) => {
      channel.assertQueue('', { exclusive: true }, (error2, q) => {
        if (error2) return out.fail(error2);
        const correlationId = randomUUID();
        out.log(' [x] Requesting fib(%d)', num);
        channel.consume(
          q.queue,
          (msg: Message | null) => {
            if (msg!.properties.correlationId === correlationId) out.log(' [.] Got %s', msg!.content.toString());
          },
          { noAck: true },
        );
        channel.sendToQueue('rpc_queue', Buffer.from(num.toString()), { correlationId, replyTo: q.queue });
      });
    });
    return out;
  };
  const clients = [client(30), client(10), client(20)];
  const answers = await Promise.all(clients.map(async (c) => (await c.until(/Got/))[0]));
  t.same(answers, [' [.] Got 832040', ' [.] Got 55', ' [.] Got 6765']);
  t.same(server.matching(/fib/).sort(), [' [.] fib(10)', ' [.] fib(20)', ' [.] fib(30)']);
});
