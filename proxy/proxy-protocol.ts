import { isIP } from 'node:net';

/**
 * The PROXY protocol header (HAProxy's spec, versions 1 and 2) written to a backend before any client
 * byte, so the backend learns the client's address. Only the PROXY command over TCP is produced; an
 * address that is not IP (which does not happen on TCP sockets) gives v1 `UNKNOWN` / v2 `LOCAL`.
 */

export interface ConnectionAddresses {
  readonly srcAddress: string;
  readonly srcPort: number;
  readonly dstAddress: string;
  readonly dstPort: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** `::ffff:1.2.3.4` (how a dual-stack listener reports IPv4 clients) becomes `1.2.3.4`. */
function unmap(a: string): string {
  return a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Both addresses in one family: IPv4 where both are, otherwise IPv6 (v4 written as ::ffff:a.b.c.d). */
function normalize(c: ConnectionAddresses): { family: 4 | 6; src: string; dst: string } | null {
  const src = unmap(c.srcAddress);
  const dst = unmap(c.dstAddress);
  const fs = isIP(src);
  const fd = isIP(dst);
  if (fs === 0 || fd === 0) return null;
  if (fs === 4 && fd === 4) return { family: 4, src, dst };
  return { family: 6, src: fs === 4 ? `::ffff:${src}` : src, dst: fd === 4 ? `::ffff:${dst}` : dst };
}

export function proxyHeaderV1(c: ConnectionAddresses): Buffer {
  const n = normalize(c);
  if (!n) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  return Buffer.from(`PROXY TCP${n.family} ${n.src} ${n.dst} ${c.srcPort} ${c.dstPort}\r\n`, 'latin1');
}

export function proxyHeaderV2(c: ConnectionAddresses): Buffer {
  const n = normalize(c);
  if (!n) {
    const local = Buffer.alloc(16);
    V2_SIGNATURE.copy(local);
    local[12] = 0x20; // version 2, LOCAL
    return local; // family UNSPEC, length 0
  }
  const addrLen = n.family === 4 ? 12 : 36;
  const buf = Buffer.alloc(16 + addrLen);
  V2_SIGNATURE.copy(buf);
  buf[12] = 0x21; // version 2, PROXY
  buf[13] = n.family === 4 ? 0x11 : 0x21; // TCP over IPv4 / IPv6
  buf.writeUInt16BE(addrLen, 14);
  const a = n.family === 4 ? ipv4Bytes : ipv6Bytes;
  const size = n.family === 4 ? 4 : 16;
  a(n.src).copy(buf, 16);
  a(n.dst).copy(buf, 16 + size);
  buf.writeUInt16BE(c.srcPort, 16 + 2 * size);
  buf.writeUInt16BE(c.dstPort, 18 + 2 * size);
  return buf;
}

export function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

/** 16 bytes of an IPv6 address in any textual form (`::`, embedded IPv4, zone id dropped). */
export function ipv6Bytes(a: string): Buffer {
  let text = a.split('%')[0]!;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (::ffff:1.2.3.4): rewrite its four bytes as two hex groups.
    const v4 = ipv4Bytes(last);
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const groupsOf = (s: string): number[] => (s === '' ? [] : s.split(':').map((x) => parseInt(x, 16)));
  const gap = text.indexOf('::');
  const head = groupsOf(gap >= 0 ? text.slice(0, gap) : text);
  const tail = gap >= 0 ? groupsOf(text.slice(gap + 2)) : [];
  const groups = gap >= 0 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
