/** --data-dir and WARREN_DATA_DIR choose the data folder; without either it is ./data of the working folder. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { freePort, tempDataDir } from '../../helpers/node.js';
import { start } from './warren.js';

// each case starts a node process: seconds apiece on a loaded machine
t.setTimeout(600_000);

const cases: { name: string; args: (dir: string) => string[]; env: (dir: string) => NodeJS.ProcessEnv; expect: (dir: string) => string }[] = [
  { name: '--data-dir', args: (dir) => ['--data-dir', join(dir, 'flag')], env: () => ({}), expect: (dir) => join(dir, 'flag') },
  { name: 'WARREN_DATA_DIR', args: () => [], env: (dir) => ({ WARREN_DATA_DIR: join(dir, 'env') }), expect: (dir) => join(dir, 'env') },
  { name: 'the default, ./data', args: () => [], env: () => ({}), expect: (dir) => join(dir, 'data') },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const temp = tempDataDir();
    t.teardown(temp.remove);
    const cwd = join(temp.dir, 'cwd');
    mkdirSync(cwd);
    const port = await freePort();
    await start(t, port, ['--amqp-port', String(port), '--amqp-host', '127.0.0.1', '--mgmt-port', '0', '--mgmt-host', '127.0.0.1', ...c.args(cwd)], c.env(cwd), { cwd });
    t.ok(existsSync(join(c.expect(cwd), 'definitions.log')), `the definitions log is in ${c.expect(cwd)}`);
  });
}
