/**
 * A node with `proxyProtocol` on, behind a real warren-proxy sending PROXY v1 and v2 headers: an amqplib
 * client works unchanged, and the management API lists the client's own address, not the proxy's. Raw
 * sockets show the rest: no header or a malformed one gets the connection closed without an AMQP word,
 * a header split over several writes is fine, and the loopback-only check of guest applies to the client
 * the header names.
 */
import amqplib from 'amqplib';
import { once } from 'node:events';
import { connect } from 'node:net';
import t from 'tap';
import { parseProxyHeader, ProxyHeaderError } from '../../shared/proxy-protocol/parse.js';
import { frontendPort, startProxy, waitFor } from '../proxy/helpers.js';
import { startTestNode, type TestNode } from '../helpers/node.js';
import { PROTOCOL_HEADER, RawClient, type TapTest } from '../helpers/raw-client.js';

async function proxiedNode(t: TapTest): Promise<TestNode> {
  const n = await startTestNode({ proxyProtocol: true });
  t.teardown(() => n.close());
  return n;
}

async function connectionsJson(n: TestNode): Promise<{ name: string; peer_host: string; peer_port: number; host: string; port: number }[]> {
  const res = await fetch(`http://127.0.0.1:${n.node.mgmt.port}/api/connections`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
  return (await res.json()) as { name: string; peer_host: string; peer_port: number; host: string; port: number }[];
}

for (const version of ['v1', 'v2'] as const) {
  t.test(`through warren-proxy with send-proxy ${version}, the node sees the real client`, async (t) => {
    const n = await proxiedNode(t);
    // two pools on the node: AMQP checks of its own port (they must open with a header too), and HTTP
    // checks of its management port, another service, which must get none
    const p = await startProxy({
      pools: [
        { name: 'p', 'send-proxy': version, check: { type: 'amqp', inter: 50 }, backends: [`127.0.0.1:${n.port}`] },
        { name: 'mgmt', 'send-proxy': version, check: { type: 'http', inter: 50, path: '/', port: n.node.mgmt.port }, backends: [{ name: 'node-mgmt', address: `127.0.0.1:${n.port}` }] },
      ],
      frontends: [{ name: 'main', listen: ['127.0.0.1:0'], pool: 'p' }],
    });
    t.teardown(() => p.close());
    for (const [pool, status] of [['p', 'L7OK'], ['mgmt', 'L7OK']] as const) {
      const b = p.pools.get(pool)!.backends[0]!;
      await waitFor(`${pool} checked`, () => (b.lastCheck?.status === status ? true : null), 5000).catch(() => {});
      t.equal(b.lastCheck?.status, status, `${pool}: ${b.lastCheck?.detail}`);
    }
    const port = frontendPort(p);
    // the client dials from its own loopback address, so its address differs from the proxy's (127.0.0.1)
    const conn = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${port}`, { localAddress: '127.0.0.9' } as Parameters<typeof amqplib.connect>[1]); // passed on to net.connect
    t.teardown(() => conn.close().catch(() => {}));
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(q.queue, Buffer.from('through the proxy'));
    const got = await new Promise<string>((resolve) => void ch.consume(q.queue, (m) => m && resolve(m.content.toString()), { noAck: true }));
    t.equal(got, 'through the proxy', 'an unchanged amqplib client works through the proxy');
    const socket = (conn as unknown as { connection: { stream: { localAddress: string; localPort: number } } }).connection.stream;
    const [c] = await connectionsJson(n);
    t.match(c, { peer_host: '127.0.0.9', peer_port: socket.localPort, host: '127.0.0.1', port }, 'peer: the client; host/port: the proxy frontend it dialled');
    t.equal(c!.name, `127.0.0.9:${socket.localPort} -> 127.0.0.1:${port}`);
  });
}

t.test('no PROXY header: the connection is closed without an AMQP reply', async (t) => {
  const n = await proxiedNode(t);
  const c = await RawClient.connect(n.port);
  t.teardown(() => c.destroy());
  c.send(PROTOCOL_HEADER);
  await c.waitClose();
  t.equal(c.frames.length, 0, 'no connection.start');
  t.equal(c.headerReply.length, 0, 'no protocol header back');
});

t.test('a malformed header is refused; a header split over writes and AMQP right behind it are read', async (t) => {
  const n = await proxiedNode(t);
  const bad = await RawClient.connect(n.port);
  t.teardown(() => bad.destroy());
  bad.send('PROXY TCP4 300.1.1.1 127.0.0.1 1 2\r\n');
  await bad.waitClose();
  t.equal(bad.frames.length, 0, 'closed without a word');

  const good = await RawClient.connect(n.port);
  t.teardown(() => good.destroy());
  const header = 'PROXY TCP4 127.0.0.44 127.0.0.1 40000 5672\r\n';
  good.send(header.slice(0, 9));
  await new Promise((r) => setTimeout(r, 50));
  good.send(header.slice(9));
  await good.handshake(); // sends AMQP's protocol header, then logs in
  const [c] = await connectionsJson(n);
  t.match(c, { peer_host: '127.0.0.44', peer_port: 40000, port: 5672 });
});

t.test('guest is loopback-only by the address the header names', async (t) => {
  const n = await proxiedNode(t);
  const c = await RawClient.connect(n.port);
  t.teardown(() => c.destroy());
  c.send('PROXY TCP4 203.0.113.9 10.0.0.1 40000 5672\r\n');
  await t.rejects(c.handshake({ capabilities: { authentication_failure_close: true } }), /ACCESS_REFUSED/, 'a remote client is refused guest even though the proxy dials from loopback');
});

t.test("a version 2 LOCAL header (a proxy's own health check) is accepted", async (t) => {
  const n = await proxiedNode(t);
  const s = connect({ port: n.port, host: '127.0.0.1' });
  await once(s, 'connect');
  t.teardown(() => s.destroy());
  const local = Buffer.from('0d0a0d0a000d0a515549540a20000000', 'hex');
  s.write(Buffer.concat([local, PROTOCOL_HEADER]));
  const [reply] = (await once(s, 'data')) as [Buffer];
  t.equal(reply[0], 1, 'a method frame: connection.start');
});

t.test('the parser: every form, partial input, and what it refuses', async (t) => {
  const v2 = (cmd: number, fam: number, body: string): Buffer => {
    const b = Buffer.from(body, 'hex');
    const h = Buffer.from('0d0a0d0a000d0a515549540a0000' + '0000', 'hex');
    h[12] = cmd;
    h[13] = fam;
    h.writeUInt16BE(b.length, 14);
    return Buffer.concat([h, b]);
  };
  t.same(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 65535 5672\r\nAMQP')), { length: 39, addresses: { srcAddress: '2001:db8::1', srcPort: 65535, dstAddress: '::1', dstPort: 5672 } });
  t.same(parseProxyHeader(Buffer.from('PROXY UNKNOWN whatever\r\n')), { length: 24, addresses: null });
  t.equal(parseProxyHeader(Buffer.from('PROX')), null, 'a prefix: more bytes needed');
  t.equal(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4')), null);
  t.same(parseProxyHeader(v2(0x21, 0x11, 'c0a80001' + 'c0a8000b' + 'dc04' + '01bb' + '0300020000')), {
    length: 33,
    addresses: { srcAddress: '192.168.0.1', dstAddress: '192.168.0.11', srcPort: 56324, dstPort: 443 },
  }, 'TLVs after the addresses are skipped');
  t.same(parseProxyHeader(v2(0x21, 0x21, '20010db8000000000000ff0000428329' + '00000000000000000000ffff0a000001' + '0001' + '1628'))?.addresses, {
    srcAddress: '2001:db8::ff00:42:8329', dstAddress: '10.0.0.1', srcPort: 1, dstPort: 5672,
  }, 'IPv6 text compressed; a v4-mapped address unmapped');
  t.same(parseProxyHeader(v2(0x21, 0x31, '00'.repeat(216))), { length: 232, addresses: null }, 'a unix socket source: no IP address to show');
  t.equal(parseProxyHeader(v2(0x21, 0x11, 'c0a80001').subarray(0, 18)), null, 'a v2 header still arriving');
  for (const [bytes, why] of [
    [Buffer.from('AMQP\x00\x00\x09\x01'), 'AMQP without a header'],
    [Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n'), 'a port past 65535'],
    [Buffer.from('PROXY TCP4 ::1 ::1 1 2\r\n'), 'IPv6 addresses under TCP4'],
    [Buffer.from(`PROXY ${'x'.repeat(120)}`), 'a v1 line past 107 bytes'],
    [v2(0x11, 0x11, ''), 'version 1 in a v2 signature'],
    [v2(0x22, 0x11, ''), 'an unknown command'],
    [v2(0x21, 0x11, 'c0a80001'), 'IPv4 addresses cut short'],
  ] as const) t.throws(() => parseProxyHeader(bytes), ProxyHeaderError, why);
});
