/**
 * Advert replay protection over real UDP sockets: datagrams an AdvertTransport sent are captured and sent
 * again to another transport, as an attacker on the advert network would; only the newest advert of each
 * run of the sender gets through, and a run that was followed by a newer one never speaks again.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import t from 'tap';
import { AdvertTransport } from '../../proxy/vip/advert.js';
import type { Advert } from '../../proxy/vip/state-machine.js';
import { freePort } from '../helpers/node.js';
import { sleep, waitFor } from './helpers.js';

const KEY = 'secret';
const GROUP = 'g';
const advert = (priority: number): Advert => ({ group: GROUP, id: 'proxy-a', role: 'active', priority, preempt: true, epoch: 0, interval: 1000 });

/** A plain UDP socket: what the sender's peer address receives (the capture), and what replays come from. */
async function udp(): Promise<{ socket: Socket; port: number; captured: Buffer[] }> {
  const socket = createSocket('udp4');
  const captured: Buffer[] = [];
  socket.on('message', (m) => captured.push(m));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return { socket, port: socket.address().port, captured };
}

t.test('a replayed or reordered advert is dropped; a restarted sender is heard; its earlier run is not', async (t) => {
  const capture = await udp();
  const receiverPort = await freePort();
  const heard: number[] = [];
  const receiver = new AdvertTransport({ host: '127.0.0.1', port: receiverPort }, [], KEY, GROUP, (a) => heard.push(a.priority));
  await receiver.open();
  /** A sender run: a transport of its own (new boot) whose adverts go to the capture socket. */
  const run = async (): Promise<AdvertTransport> => {
    const s = new AdvertTransport({ host: '127.0.0.1', port: await freePort() }, [{ host: '127.0.0.1', port: capture.port }], KEY, GROUP, () => {});
    await s.open();
    return s;
  };
  const first = await run();
  for (const p of [1, 2, 3]) first.send(advert(p));
  await waitFor('three adverts captured', () => capture.captured.length === 3);
  const [a1, a2, a3] = capture.captured.splice(0) as [Buffer, Buffer, Buffer];
  /** Sends datagrams to the receiver in order and returns the priorities it passed on. */
  const deliver = async (...datagrams: Buffer[]): Promise<number[]> => {
    heard.length = 0;
    for (const d of datagrams) capture.socket.send(d, receiverPort, '127.0.0.1');
    await sleep(200);
    return [...heard];
  };

  t.same(await deliver(a1, a2), [1, 2], 'adverts in order are heard');
  t.same(await deliver(a2, a1), [], 'the same adverts again are dropped');
  t.same(await deliver(a3, a2), [3], 'a newer one is heard, then an older one (reordered) is dropped');

  first.close();
  const second = await run();
  second.send(advert(10));
  await waitFor('the restarted sender advert captured', () => capture.captured.length === 1);
  const b1 = capture.captured.splice(0)[0]!;
  t.same(await deliver(b1), [10], 'a new run of the sender is heard');
  t.same(await deliver(a3, a1), [], 'adverts of its earlier run are dropped from then on');

  const tampered = JSON.parse(a3.toString()) as { body: string; mac: string };
  tampered.body = JSON.stringify({ ...(JSON.parse(tampered.body) as object), seq: 1e9 });
  t.same(await deliver(Buffer.from(JSON.stringify(tampered))), [], 'renumbering an old advert breaks its HMAC');

  second.close();
  receiver.close();
  capture.socket.close();
});
