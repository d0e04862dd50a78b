/** --amqp-port and WARREN_AMQP_PORT choose where the node speaks AMQP. */
import amqp from 'amqplib';
import t from 'tap';
import { freePort, tempDataDir } from '../../helpers/node.js';
import { start } from './warren.js';

// each case starts a node process: seconds apiece on a loaded machine
t.setTimeout(600_000);

/** Opens and closes an AMQP connection: the port answers as a broker, not just a socket. */
async function speaksAmqp(port: number): Promise<boolean> {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  await c.close();
  return true;
}

for (const via of ['flag', 'env'] as const) {
  t.test(`the AMQP port from the ${via === 'flag' ? '--amqp-port flag' : 'WARREN_AMQP_PORT variable'}`, async (t) => {
    const data = tempDataDir();
    t.teardown(data.remove);
    const port = await freePort();
    const base = ['--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', data.dir];
    const node = via === 'flag' ? await start(t, port, [...base, '--amqp-port', String(port)]) : await start(t, port, base, { WARREN_AMQP_PORT: String(port) });
    t.ok(await speaksAmqp(port));
    t.equal(node.stderr(), '', 'nothing on stderr');
  });
}
