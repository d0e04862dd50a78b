/**
 * --config FILE, JSON or YAML with kebab-case keys, and the order settings override each other in:
 * defaults < file < WARREN_* environment < flags.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { freePort, tempDataDir, waitForPort } from '../../helpers/node.js';
import type { Scope } from '../broker/helpers.js';
import { mgmtGet, start, START_MS } from './warren.js';

// each case starts a node process: seconds apiece on a loaded machine
t.setTimeout(600_000);

/** `settings` written to a file called `name` (JSON or YAML by its extension) in a temp folder that also holds the data. */
function configFile(t: Scope, name: string, settings: Record<string, unknown>): string {
  const temp = tempDataDir();
  t.teardown(temp.remove);
  const path = join(temp.dir, name);
  const all = { 'data-dir': join(temp.dir, 'data'), ...settings };
  writeFileSync(path, name.endsWith('.json') ? JSON.stringify(all, null, 2) : stringify(all));
  return path;
}

const vhostNames = async (mgmt: number, user: string, pass: string): Promise<string[]> =>
  ((await mgmtGet(mgmt, '/api/vhosts', user, pass)).body as { name: string }[]).map((v) => v.name).sort();

for (const name of ['warren.json', 'warren.yaml']) {
  t.test(`settings from ${name}`, async (t) => {
    const [amqpPort, mgmtPort] = [await freePort(), await freePort()];
    const path = configFile(t, name, { 'amqp-port': amqpPort, 'amqp-host': '127.0.0.1', 'mgmt-port': mgmtPort, 'mgmt-host': '127.0.0.1', 'default-vhost': 'from-file' });
    await start(t, amqpPort, ['--config', path]);
    await waitForPort(mgmtPort, START_MS);
    t.same(await vhostNames(mgmtPort, 'guest', 'guest'), ['from-file']);
  });
}

t.test('defaults < file < environment < flags', async (t) => {
  const [amqpPort, fileMgmtPort, envMgmtPort] = [await freePort(), await freePort(), await freePort()];
  const path = configFile(t, 'warren.yaml', {
    'amqp-port': amqpPort, // file only: beats the default 5672
    'amqp-host': '127.0.0.1',
    'mgmt-port': fileMgmtPort, // the environment's wins
    'mgmt-host': '127.0.0.1',
    'default-user': 'file-user', // the environment's wins
    'default-pass': 'file-pass', // file only
    'default-vhost': 'file-vhost', // the environment's loses to the flag
  });
  const env = { WARREN_MGMT_PORT: String(envMgmtPort), WARREN_DEFAULT_USER: 'env-user', WARREN_DEFAULT_VHOST: 'env-vhost' };
  await start(t, amqpPort, ['--config', path, '--default-vhost', 'flag-vhost'], env);
  await waitForPort(envMgmtPort, START_MS);
  t.same(await vhostNames(envMgmtPort, 'env-user', 'file-pass'), ['flag-vhost'], "the flag's vhost; the environment's user with the file's password");
  t.equal((await mgmtGet(envMgmtPort, '/api/whoami', 'guest', 'guest')).status, 401, 'no default guest');
  const fileMgmt = await fetch(`http://127.0.0.1:${fileMgmtPort}/api/overview`).then(
    () => 'answered',
    () => 'refused',
  );
  t.equal(fileMgmt, 'refused', "nothing on the file's management port");
});
