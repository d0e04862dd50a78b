import { isIP, type Socket } from 'node:net';

/** The two ends of a TCP connection, as a PROXY protocol header carries them. */
export interface ConnectionAddresses {
  readonly srcAddress: string;
  readonly srcPort: number;
  readonly dstAddress: string;
  readonly dstPort: number;
}

/**
 * A socket's own two ends (empty when it has none, as after a reset). IPv4 clients of a dual-stack
 * listener are shown as plain IPv4, as RabbitMQ shows them.
 */
export function socketAddresses(s: Socket): ConnectionAddresses {
  return { srcAddress: unmap(s.remoteAddress ?? ''), srcPort: s.remotePort ?? 0, dstAddress: unmap(s.localAddress ?? ''), dstPort: s.localPort ?? 0 };
}

/** The 12 bytes a version 2 header starts with. */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** `::ffff:1.2.3.4` (how a dual-stack listener reports IPv4 clients) becomes `1.2.3.4`. */
export function unmap(a: string): string {
  return a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
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

/** An IPv6 address's 16 bytes as text (RFC 5952: lower case, the longest run of zero groups as `::`). */
export function ipv6Text(b: Buffer): string {
  // an IPv4-mapped address keeps its dotted tail, as RFC 5952 §5 recommends
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b.subarray(12, 16).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best.len < 2) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}`;
}
