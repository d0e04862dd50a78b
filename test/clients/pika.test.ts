/**
 * Python's pika (Debian python3-pika) against a node: declare, publish with confirms, basic_get, then
 * consume ten messages with manual acks. Skipped, with the reason printed, where no python3 can import pika.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { nodeFor } from '../node/broker/helpers.js';

/**
 * WARREN_PYTHON if set; else Debian's interpreter first, since a pyenv or venv python3 on PATH usually lacks
 * the system's dist-packages.
 */
const CANDIDATES = process.env['WARREN_PYTHON'] ? [process.env['WARREN_PYTHON']] : ['/usr/bin/python3', 'python3'];

function pythonWithPika(): string | null {
  for (const py of CANDIDATES) {
    const r = spawnSync(py, ['-c', 'import pika'], { stdio: 'ignore', timeout: 10_000 });
    if (r.status === 0) return py;
  }
  return null;
}

const SCRIPT = String.raw`
import json, sys
import pika

params = pika.URLParameters(sys.argv[1])
params.socket_timeout = 5
params.blocked_connection_timeout = 5
conn = pika.BlockingConnection(params)
ch = conn.channel()
ch.confirm_delivery()
declared = ch.queue_declare(queue='pika-q', durable=False)
for i in range(11):
    ch.basic_publish(exchange='', routing_key='pika-q', body=('msg %d' % i).encode(),
                     properties=pika.BasicProperties(content_type='text/plain', headers={'i': i}))
method, props, body = ch.basic_get(queue='pika-q', auto_ack=True)
result = {
    'declared': declared.method.queue,
    'get': body.decode(),
    'get_message_count': method.message_count,
    'get_headers': props.headers,
    'get_content_type': props.content_type,
}
consumed = []

def on_message(channel, deliver, properties, payload):
    consumed.append(payload.decode())
    channel.basic_ack(deliver.delivery_tag)
    if len(consumed) == 10:
        channel.stop_consuming()

ch.basic_qos(prefetch_count=3)
ch.basic_consume(queue='pika-q', on_message_callback=on_message)
conn.call_later(10, ch.stop_consuming)  # never wait forever
ch.start_consuming()
result['consumed'] = consumed
result['left'] = ch.queue_declare(queue='pika-q', passive=True).method.message_count
conn.close()
print(json.dumps(result))
`;

const python = pythonWithPika();
const skip = python === null ? `no python3 that can import pika (tried ${CANDIDATES.join(', ')}); install python3-pika` : false;
if (skip) t.comment(`skipping pika: ${skip}`);

t.test('pika: declare, publish, basic_get, consume 10 with ack', { skip }, async (t) => {
  const node = await nodeFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'warren-pika-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'round_trip.py');
  writeFileSync(script, SCRIPT);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python!, [script, `${node.url}/%2F`], { timeout: 30_000 }, (err, out, errOut) =>
      err ? reject(new Error(`pika script failed: ${err.message}\n${errOut}`)) : resolve(out),
    );
  });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  t.same(result, {
    declared: 'pika-q',
    get: 'msg 0',
    get_message_count: 10,
    get_headers: { i: 0 },
    get_content_type: 'text/plain',
    consumed: Array.from({ length: 10 }, (_, i) => `msg ${i + 1}`),
    left: 0,
  });
});
