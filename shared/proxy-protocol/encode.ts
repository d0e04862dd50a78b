import { isIP } from 'node:net';
import { ipv4Bytes, ipv6Bytes, unmap, V2_SIGNATURE, type ConnectionAddresses } from './addresses.js';

/**
 * The PROXY protocol header (HAProxy's spec, versions 1 and 2) written to a backend before any client
 * byte, so the backend learns the client's address. Only the PROXY command over TCP is produced; an
 * address that is not IP (which does not happen on TCP sockets) gives v1 `UNKNOWN` / v2 `LOCAL`.
 */

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

/** The header a proxy sends for its own connections (health checks): v1 UNKNOWN, v2 LOCAL; none for off. */
export function localProxyHeader(version: 'off' | 'v1' | 'v2'): Buffer | null {
  const none = { srcAddress: '', srcPort: 0, dstAddress: '', dstPort: 0 };
  return version === 'off' ? null : version === 'v1' ? proxyHeaderV1(none) : proxyHeaderV2(none);
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
