/**
 * PROXY protocol v1 and v2 headers, byte for byte as HAProxy's proxy-protocol.txt specifies, as encoded
 * and as a real backend receives them through the proxy (before the client's first byte).
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import t from 'tap';
import { ipv6Bytes } from '../../shared/proxy-protocol/addresses.js';
import { proxyHeaderV1, proxyHeaderV2 } from '../../shared/proxy-protocol/encode.js';
import { frontendPort, startProxy } from './helpers.js';

const SIG = '0d0a0d0a000d0a515549540a';
const hex = (b: Buffer): string => b.toString('hex');

t.test('v1: TCP4, TCP6, mapped addresses, UNKNOWN', async (t) => {
  t.equal(proxyHeaderV1({ srcAddress: '192.168.0.1', srcPort: 56324, dstAddress: '192.168.0.11', dstPort: 443 }).toString(), 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n');
  t.equal(proxyHeaderV1({ srcAddress: '::ffff:10.1.2.3', srcPort: 1, dstAddress: '::ffff:10.0.0.9', dstPort: 2 }).toString(), 'PROXY TCP4 10.1.2.3 10.0.0.9 1 2\r\n', 'v4-mapped becomes TCP4');
  t.equal(proxyHeaderV1({ srcAddress: '2001:db8::1', srcPort: 65535, dstAddress: '::1', dstPort: 5672 }).toString(), 'PROXY TCP6 2001:db8::1 ::1 65535 5672\r\n');
  t.equal(proxyHeaderV1({ srcAddress: '10.0.0.1', srcPort: 5, dstAddress: '::1', dstPort: 6 }).toString(), 'PROXY TCP6 ::ffff:10.0.0.1 ::1 5 6\r\n', 'mixed families go to TCP6');
  t.equal(proxyHeaderV1({ srcAddress: '', srcPort: 0, dstAddress: '', dstPort: 0 }).toString(), 'PROXY UNKNOWN\r\n');
  const longest = proxyHeaderV1({ srcAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', srcPort: 65535, dstAddress: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', dstPort: 65535 });
  t.equal(longest.length, 104, 'the longest v1 line is 107 bytes at most (104 here)');
});

t.test('v2: signature, version/command, family, length, addresses, ports', async (t) => {
  const v4 = proxyHeaderV2({ srcAddress: '192.168.0.1', srcPort: 56324, dstAddress: '192.168.0.11', dstPort: 443 });
  t.equal(hex(v4), `${SIG}2111000c` + 'c0a80001' + 'c0a8000b' + 'dc04' + '01bb');
  t.equal(v4.length, 28);
  const v6 = proxyHeaderV2({ srcAddress: '2001:db8::ff00:42:8329', srcPort: 1, dstAddress: '::1', dstPort: 5672 });
  t.equal(hex(v6), `${SIG}2121` + '0024' + '20010db8000000000000ff0000428329' + '00000000000000000000000000000001' + '0001' + '1628');
  t.equal(v6.length, 52);
  t.equal(hex(proxyHeaderV2({ srcAddress: 'x', srcPort: 0, dstAddress: 'y', dstPort: 0 })), `${SIG}20000000`, 'LOCAL with no addresses');
});

t.test('IPv6 text forms', async (t) => {
  t.equal(hex(ipv6Bytes('::')), '0'.repeat(32));
  t.equal(hex(ipv6Bytes('::1')), `${'0'.repeat(31)}1`);
  t.equal(hex(ipv6Bytes('fe80::1%eth0')), 'fe800000000000000000000000000001');
  t.equal(hex(ipv6Bytes('::ffff:10.0.0.1')), '00000000000000000000ffff0a000001');
  t.equal(hex(ipv6Bytes('1:2:3:4:5:6:7:8')), '00010002000300040005000600070008');
  t.equal(hex(ipv6Bytes('1::')), `0001${'0'.repeat(28)}`);
});

/** A backend that records each connection's bytes up to and including `until`. */
async function capture(until: string): Promise<{ port: number; next(): Promise<Buffer>; close(): void }> {
  const waiting: ((b: Buffer) => void)[] = [];
  const got: Buffer[] = [];
  const server = createServer((s: Socket) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.includes(until, 0, 'latin1')) {
        const w = waiting.shift();
        if (w) w(buf);
        else got.push(buf);
        s.end();
      }
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    next: () => (got.length ? Promise.resolve(got.shift()!) : new Promise((r) => waiting.push(r))),
    close: () => server.close(),
  };
}

for (const version of ['v1', 'v2'] as const) {
  t.test(`${version} through the proxy: the backend reads the header, then the client's bytes`, async (t) => {
    const payload = 'AMQP\x00\x00\x09\x01';
    const be = await capture(payload);
    t.teardown(() => be.close());
    const p = await startProxy({ pools: [{ name: 'p', 'send-proxy': version, check: { type: 'none' }, backends: [`127.0.0.1:${be.port}`] }], frontends: [{ name: 'main', listen: ['127.0.0.1:0'] }] });
    t.teardown(() => p.close());
    const fePort = frontendPort(p);
    const c = connect({ port: fePort, host: '127.0.0.1', localAddress: '127.0.0.2' });
    await once(c, 'connect');
    c.write(payload);
    const srcPort = c.localPort!;
    const got = await be.next();
    c.destroy();
    if (version === 'v1') {
      const line = `PROXY TCP4 127.0.0.2 127.0.0.1 ${srcPort} ${fePort}\r\n`;
      t.equal(got.toString('latin1'), line + payload);
    } else {
      const header = Buffer.concat([Buffer.from(SIG, 'hex'), Buffer.from([0x21, 0x11, 0x00, 0x0c, 127, 0, 0, 2, 127, 0, 0, 1]), Buffer.from([srcPort >> 8, srcPort & 255, fePort >> 8, fePort & 255])]);
      t.equal(hex(got.subarray(0, 28)), hex(header));
      t.equal(got.subarray(28).toString('latin1'), payload);
    }
  });
}
