/**
 * Child process for crash.test.ts (not a test): publishes persistent messages with publisher confirms to
 * a durable queue until its connection dies, and prints `ready` and then the id of every message the
 * broker confirmed, one per line, as the confirms arrive.
 *
 * usage: node publisher.js URL QUEUE FIRST_ID BODY_BYTES
 */
import { writeSync } from 'node:fs';
import amqp from 'amqplib';

const [url = '', queue = '', first = '1', bodyBytes = '100'] = process.argv.slice(2);
const WINDOW = 200;
let pending: number[] = [];

function flush(): void {
  if (pending.length === 0) return;
  writeSync(1, pending.join('\n') + '\n');
  pending = [];
}

function finish(code: number): never {
  flush();
  process.exit(code);
}

const conn = await amqp.connect(url).catch(() => finish(3));
conn.on('error', () => {});
conn.on('close', () => finish(0));
const ch = await conn.createConfirmChannel();
ch.on('error', () => {});
await ch.assertQueue(queue, { durable: true });
writeSync(1, 'ready\n');
setInterval(flush, 20);

let id = Number(first);
let outstanding = 0;
const size = Number(bodyBytes);

function pump(): void {
  while (outstanding < WINDOW) {
    const my = id++;
    outstanding++;
    const body = Buffer.alloc(size, 120);
    body.write(`m${my}:`, 0, 'latin1');
    ch.publish('', queue, body, { persistent: true, messageId: String(my) }, (err: unknown) => {
      outstanding--;
      if (!err) pending.push(my);
      // after a failure the connection is going: stop publishing and let 'close' end the process
      if (!err) setImmediate(pump);
    });
  }
}
pump();
