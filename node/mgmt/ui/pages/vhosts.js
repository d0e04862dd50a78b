// Admin > Virtual hosts: list with message totals, add, delete.

import { del, get, path, put } from '../api.js';
import { button, field, fill, form, h, input, notify, num, section, table } from '../dom.js';

export async function render(view) {
  const box = h('div');
  const load = async () => {
    const [vhosts, queues] = await Promise.all([get('/vhosts'), get('/queues')]);
    const count = (v, key) => queues.filter((q) => q.vhost === v).reduce((n, q) => n + (q[key] ?? 0), 0);
    const remove = (v) =>
      button('Delete', async () => {
        if (!window.confirm(`Delete virtual host '${v.name}' and everything in it?`)) return;
        await del(path`/vhosts/${v.name}`);
        notify(`Virtual host '${v.name}' deleted.`, 'ok');
        await load();
      }, { class: 'small danger', 'aria-label': `Delete virtual host ${v.name}` });
    fill(box, table('Virtual hosts', [
      { label: 'Name', get: (v) => v.name },
      { label: 'Queues', get: (v) => num(queues.filter((q) => q.vhost === v.name).length), cls: 'n' },
      { label: 'Ready', get: (v) => num(count(v.name, 'messages_ready')), cls: 'n' },
      { label: 'Unacked', get: (v) => num(count(v.name, 'messages_unacknowledged')), cls: 'n' },
      { label: 'Total', get: (v) => num(count(v.name, 'messages')), cls: 'n' },
      { label: 'Action', get: remove },
    ], vhosts));
  };
  const name = input({ required: true, autocomplete: 'off' });
  const add = form('Add a virtual host', field('Virtual host name', name), 'Add virtual host', async () => {
    await put(path`/vhosts/${name.value}`, {});
    notify(`Virtual host '${name.value}' added.`, 'ok');
    name.value = '';
    await load();
  });
  fill(view.main, h('h1', {}, 'Virtual hosts'), section('All virtual hosts', box, add));
  await load();
  view.every(load);
}
