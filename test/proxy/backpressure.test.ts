/**
 * Backpressure through a real proxy process: a side that does not read makes the other side's writes
 * stall (TCP flow control end to end), and the proxy's memory does not grow with what the fast side
 * tries to send. Then the slow side reads and every byte arrives. Both directions.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { freePort } from '../helpers/node.js';
import { spawnProxy, tagServer, waitFor } from './helpers.js';

const CHUNK = Buffer.alloc(1 << 20, 0x61);
/** The fast side tries to send this much; without backpressure the proxy would hold most of it. */
const ATTEMPT = 768 << 20;
/** Kernel socket buffers on the path (autotuned on loopback, up to tcp_rmem's 32 MiB each) may hold a lot; the proxy itself must not. */
const MAX_RSS_GROWTH = 64 << 20;

/** Writes chunks while the socket accepts them; resolves the bytes handed over once writes stall for `stallMs`. */
function pushUntilStalled(s: Socket, stallMs = 1500): Promise<number> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let timer: NodeJS.Timeout | null = null;
    const stalled = (): void => {
      s.off('drain', pump);
      resolve(sent - s.writableLength);
    };
    const pump = (): void => {
      if (timer) clearTimeout(timer);
      while (sent < ATTEMPT) {
        sent += CHUNK.length;
        if (!s.write(CHUNK)) break;
      }
      if (sent >= ATTEMPT) return reject(new Error(`no backpressure: ${sent} bytes accepted`));
      timer = setTimeout(stalled, stallMs);
    };
    s.on('drain', pump);
    s.on('error', reject);
    pump();
  });
}

function readAll(s: Socket, expected: number, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const timer = setTimeout(() => reject(new Error(`read ${got} of ${expected} bytes`)), timeoutMs);
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= expected) {
        clearTimeout(timer);
        resolve(got);
      }
    });
    s.resume();
  });
}

async function setup(t: { teardown(fn: () => unknown): void }, onSocket: (s: Socket) => void) {
  const sink = await tagServer('sink', { onSocket });
  t.teardown(() => sink.close());
  const port = await freePort();
  const proxy = await spawnProxy({
    pools: [{ name: 'p', check: { type: 'none' }, backends: [`127.0.0.1:${sink.port}`] }],
    frontends: [{ name: 'main', listen: [`127.0.0.1:${port}`] }],
    'log-level': 'warn',
  });
  t.teardown(() => proxy.stop('SIGKILL'));
  // (Not waitForPort: a probe connection would be a session of its own.)
  await waitFor('the frontend to listen', async () => (await proxy.stats()).frontends[0]!.status === 'OPEN');
  const rss0 = (await proxy.stats()).proxy.rss;
  return { proxy, port, rss0 };
}

t.test('client -> backend: a backend that does not read stalls the client, not the proxy', async (t) => {
  let backendSocket: Socket | undefined;
  const { proxy, port, rss0 } = await setup(t, (s) => {
    s.pause();
    backendSocket = s;
  });
  const c = connect({ port, host: '127.0.0.1' });
  await once(c, 'connect');
  const accepted = await pushUntilStalled(c);
  const rss1 = (await proxy.stats()).proxy.rss;
  t.ok(accepted < ATTEMPT / 2, `the client stalled after ${(accepted / 2 ** 20).toFixed(1)} MiB of ${ATTEMPT / 2 ** 20} MiB`);
  t.ok(rss1 - rss0 < MAX_RSS_GROWTH, `proxy RSS grew ${((rss1 - rss0) / 2 ** 20).toFixed(1)} MiB (bound ${MAX_RSS_GROWTH / 2 ** 20} MiB)`);
  const total = accepted + c.writableLength;
  const reading = readAll(backendSocket!, total);
  c.end();
  t.equal(await reading, total, 'every byte arrives once the backend reads');
  c.destroy();
});

t.test('backend -> client: a client that does not read stalls the backend, not the proxy', async (t) => {
  let pushed: Promise<number> | undefined;
  let backendSocket: Socket | undefined;
  const { proxy, port, rss0 } = await setup(t, (s) => {
    backendSocket = s;
    pushed = pushUntilStalled(s);
  });
  const c = connect({ port, host: '127.0.0.1' });
  c.pause();
  await once(c, 'connect');
  while (!pushed) await new Promise((r) => setTimeout(r, 10));
  const accepted = await pushed;
  const rss1 = (await proxy.stats()).proxy.rss;
  t.ok(accepted < ATTEMPT / 2, `the backend stalled after ${(accepted / 2 ** 20).toFixed(1)} MiB`);
  t.ok(rss1 - rss0 < MAX_RSS_GROWTH, `proxy RSS grew ${((rss1 - rss0) / 2 ** 20).toFixed(1)} MiB (bound ${MAX_RSS_GROWTH / 2 ** 20} MiB)`);
  const total = accepted + backendSocket!.writableLength;
  const reading = readAll(c, total);
  t.equal(await reading, total, 'every byte arrives once the client reads');
  c.destroy();
});
