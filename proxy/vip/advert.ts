import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isIP } from 'node:net';
import type { Endpoint } from '../config-values.js';
import { ReplayGuard, type AdvertStamp } from './advert-replay.js';
import type { Advert, AdvertRole } from './state-machine.js';

/**
 * Adverts on the wire: one UDP datagram of JSON (small, readable with tcpdump), with an HMAC-SHA256 over
 * the JSON when a shared key is configured. Datagrams that do not parse, carry the wrong group or fail the
 * HMAC are dropped silently (a log line per bad packet would let anyone flood the log). Each advert is
 * stamped (see AdvertStamp) and the receiver drops any not newer than its sender's last (ReplayGuard).
 * Version 2 added the stamp; both proxies of a pair must speak the same version.
 */
const VERSION = 2;
const ROLES: readonly AdvertRole[] = ['standby', 'active', 'resigning'];

export interface StampedAdvert {
  readonly advert: Advert;
  readonly stamp: AdvertStamp;
}

export function encodeAdvert(a: Advert, stamp: AdvertStamp, key: string): Buffer {
  const body = JSON.stringify({ v: VERSION, ...a, ...stamp });
  if (key === '') return Buffer.from(body);
  const mac = createHmac('sha256', key).update(body).digest('base64');
  return Buffer.from(JSON.stringify({ body, mac }));
}

export function decodeAdvert(buf: Buffer, key: string, group: string): StampedAdvert | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
    if (key !== '') {
      if (typeof o['body'] !== 'string' || typeof o['mac'] !== 'string') return null;
      const want = createHmac('sha256', key).update(o['body']).digest();
      const got = Buffer.from(o['mac'], 'base64');
      if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
      o = JSON.parse(o['body']) as Record<string, unknown>;
    }
  } catch {
    return null;
  }
  const { v, id, role, priority, preempt, epoch, interval, boot, seq } = o;
  if (v !== VERSION || o['group'] !== group || typeof id !== 'string' || !ROLES.includes(role as AdvertRole)) return null;
  if (typeof priority !== 'number' || typeof preempt !== 'boolean' || typeof epoch !== 'number' || typeof interval !== 'number' || interval <= 0) return null;
  if (typeof boot !== 'string' || typeof seq !== 'number') return null;
  return { advert: { group, id, role: role as AdvertRole, priority, preempt, epoch, interval }, stamp: { boot, seq } };
}

/** The UDP socket adverts travel on: bound to this proxy's advert address, sending to each peer. */
export class AdvertTransport {
  private socket: Socket | null = null;
  private readonly boot = randomBytes(8).toString('hex');
  private seq = 0;
  private readonly replay = new ReplayGuard();

  constructor(
    private readonly bind: Endpoint,
    private readonly peers: readonly Endpoint[],
    private readonly key: string,
    private readonly group: string,
    private readonly onAdvert: (a: Advert) => void,
  ) {}

  async open(): Promise<void> {
    const socket = createSocket({ type: isIP(this.bind.host) === 6 ? 'udp6' : 'udp4' });
    socket.on('message', (msg) => {
      const d = decodeAdvert(msg, this.key, this.group);
      if (d && this.replay.accept(d.advert.id, d.stamp)) this.onAdvert(d.advert);
    });
    socket.bind(this.bind.port, this.bind.host);
    await Promise.race([once(socket, 'listening'), once(socket, 'error').then(([e]) => Promise.reject(e as Error))]);
    socket.on('error', () => {}); // a send to a peer that is down (ICMP unreachable) is not our error
    this.socket = socket;
  }

  send(a: Advert): void {
    const s = this.socket;
    if (!s) return;
    const buf = encodeAdvert(a, { boot: this.boot, seq: ++this.seq }, this.key);
    for (const p of this.peers) s.send(buf, p.port, p.host, () => {});
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}
