/** --log-level and WARREN_LOG_LEVEL: JSON lines on stdout at that level and above, nothing below it. */
import amqp from 'amqplib';
import t, { type Test } from 'tap';
import { freePort, tempDataDir } from '../../helpers/node.js';
import { start } from './warren.js';

// each case starts a node process: seconds apiece on a loaded machine
t.setTimeout(600_000);

/** pino's numbers for the levels the node logs at. */
const LEVEL = { debug: 20, info: 30, warn: 40 } as const;

/** Starts a node at a level, connects one client (logged at info), stops it, and reads its stdout's levels. */
async function levelsLogged(t: Test, args: string[], env: NodeJS.ProcessEnv): Promise<number[]> {
  const data = tempDataDir();
  t.teardown(data.remove);
  const port = await freePort();
  const node = await start(t, port, ['--amqp-port', String(port), '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', '--data-dir', data.dir, ...args], env);
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  await c.close();
  await node.stop('SIGTERM');
  t.equal(node.stderr(), '', 'nothing on stderr');
  return node
    .stdout()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { level: number }).level);
}

t.test('info (the default) logs the listeners starting', async (t) => {
  const levels = await levelsLogged(t, [], {});
  t.ok(levels.includes(LEVEL.info), 'info lines');
  t.notOk(levels.some((l) => l < LEVEL.info), 'nothing below info');
});

t.test('--log-level warn leaves out info', async (t) => {
  t.notOk((await levelsLogged(t, ['--log-level', 'warn'], {})).some((l) => l < LEVEL.warn));
});

t.test('--log-level debug keeps info', async (t) => {
  t.ok((await levelsLogged(t, ['--log-level', 'debug'], {})).includes(LEVEL.info));
});

t.test('WARREN_LOG_LEVEL=silent logs nothing', async (t) => {
  t.same(await levelsLogged(t, [], { WARREN_LOG_LEVEL: 'silent' }), []);
});
