import { isIP } from 'node:net';
import { ipv6Text, unmap, V2_SIGNATURE, type ConnectionAddresses } from './addresses.js';

/** A PROXY protocol header that is malformed, or bytes that do not start one. */
export class ProxyHeaderError extends Error {
  override readonly name = 'ProxyHeaderError';
}

export interface ProxyHeader {
  /** Bytes the header took; the connection's own bytes follow. */
  readonly length: number;
  /** The client and the address it connected to; null for LOCAL (the proxy's own health check) and UNKNOWN. */
  readonly addresses: ConnectionAddresses | null;
}

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** The spec's longest v1 line, CRLF included. */
const V1_MAX = 107;
/** Past the 16 fixed bytes: addresses plus TLVs. The spec allows 65,535; real proxies send a few hundred. */
const V2_MAX_BODY = 4096;

/** True when `buf` (possibly shorter) matches the start of `prefix`. */
const startsLike = (buf: Buffer, prefix: Buffer): boolean => buf.subarray(0, prefix.length).equals(prefix.subarray(0, Math.min(buf.length, prefix.length)));

/**
 * Reads the PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) at the start of a
 * connection's bytes. Returns null while more bytes are needed, the header once complete, and throws a
 * ProxyHeaderError as soon as the bytes cannot be one, so a client that sends AMQP straight away is told
 * at once rather than at the handshake timeout.
 */
export function parseProxyHeader(buf: Buffer): ProxyHeader | null {
  if (startsLike(buf, V1_PREFIX)) return buf.length < V1_PREFIX.length ? null : parseV1(buf);
  if (startsLike(buf, V2_SIGNATURE)) return buf.length < V2_SIGNATURE.length ? null : parseV2(buf);
  throw new ProxyHeaderError('no PROXY protocol header (expected "PROXY " or the version 2 signature)');
}

function parseV1(buf: Buffer): ProxyHeader | null {
  const end = buf.indexOf('\r\n', 0, 'latin1');
  // without its CRLF yet, a line already at the limit can only end past it
  if (end < 0 ? buf.length >= V1_MAX : end + 2 > V1_MAX) throw new ProxyHeaderError(`version 1 line longer than ${V1_MAX} bytes`);
  if (end < 0) return null;
  const length = end + 2;
  const parts = buf.toString('latin1', V1_PREFIX.length, end).split(' ');
  if (parts[0] === 'UNKNOWN') return { length, addresses: null };
  if (parts.length !== 5 || (parts[0] !== 'TCP4' && parts[0] !== 'TCP6')) throw new ProxyHeaderError(`bad version 1 line: ${JSON.stringify(buf.toString('latin1', 0, end))}`);
  const family = parts[0] === 'TCP4' ? 4 : 6;
  const [, src, dst, srcPort, dstPort] = parts as [string, string, string, string, string];
  if (isIP(src) !== family || isIP(dst) !== family) throw new ProxyHeaderError(`bad ${parts[0]} address in ${JSON.stringify(buf.toString('latin1', 0, end))}`);
  return { length, addresses: { srcAddress: unmap(src), srcPort: v1Port(srcPort), dstAddress: unmap(dst), dstPort: v1Port(dstPort) } };
}

function v1Port(s: string): number {
  const n = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  if (!(n <= 65535)) throw new ProxyHeaderError(`bad version 1 port ${JSON.stringify(s)}`);
  return n;
}

function parseV2(buf: Buffer): ProxyHeader | null {
  if (buf.length < 16) return null;
  const versionCommand = buf[12]!;
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError(`unsupported version ${versionCommand >> 4} in a version 2 header`);
  const bodyLength = buf.readUInt16BE(14);
  if (bodyLength > V2_MAX_BODY) throw new ProxyHeaderError(`version 2 header of ${bodyLength} bytes (at most ${V2_MAX_BODY} accepted)`);
  if (buf.length < 16 + bodyLength) return null;
  const length = 16 + bodyLength;
  const command = versionCommand & 0x0f;
  if (command === 0) return { length, addresses: null }; // LOCAL: the proxy speaking for itself
  if (command !== 1) throw new ProxyHeaderError(`unknown version 2 command ${command}`);
  const familyProtocol = buf[13]!;
  const body = buf.subarray(16, length);
  // TCP over IPv4 (0x11) or IPv6 (0x21); any other family or transport carries no address we can use
  if (familyProtocol === 0x11) return { length, addresses: body.length >= 12 ? addresses(body, 4, (b) => b.join('.')) : tooShort(familyProtocol) };
  if (familyProtocol === 0x21) return { length, addresses: body.length >= 36 ? addresses(body, 16, (b) => unmap(ipv6Text(b))) : tooShort(familyProtocol) };
  return { length, addresses: null };
}

function addresses(body: Buffer, size: number, text: (b: Buffer) => string): ConnectionAddresses {
  return {
    srcAddress: text(body.subarray(0, size)),
    dstAddress: text(body.subarray(size, 2 * size)),
    srcPort: body.readUInt16BE(2 * size),
    dstPort: body.readUInt16BE(2 * size + 2),
  };
}

function tooShort(familyProtocol: number): never {
  throw new ProxyHeaderError(`version 2 addresses too short for family 0x${familyProtocol.toString(16)}`);
}
