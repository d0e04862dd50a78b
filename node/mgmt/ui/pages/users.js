// Admin > Users: the list with delete, the add-user form (tags as checkboxes), and permissions.

import { del, get, path, put } from '../api.js';
import { vhostSelect } from '../common.js';
import { button, checkbox, field, fill, form, h, input, notify, section, table, tag } from '../dom.js';

const TAGS = ['administrator', 'monitoring', 'policymaker', 'management', 'impersonator'];

function userTable(users, reload) {
  const remove = (u) =>
    button('Delete', async () => {
      if (!window.confirm(`Delete user '${u.name}'?`)) return;
      await del(path`/users/${u.name}`);
      notify(`User '${u.name}' deleted.`, 'ok');
      await reload();
    }, { class: 'small danger', 'aria-label': `Delete user ${u.name}` });
  return table('Users', [
    { label: 'Name', get: (u) => u.name },
    { label: 'Tags', get: (u) => h('span', { class: 'tags' }, (u.tags ?? []).map((t) => tag(t))) },
    { label: 'Action', get: remove },
  ], users, 'No users.');
}

function addUserForm(reload) {
  const name = input({ required: true, autocomplete: 'off' });
  const password = input({ type: 'password', required: true, autocomplete: 'new-password' });
  const boxes = TAGS.map((t) => checkbox(t, { value: t }));
  const tags = h('fieldset', { class: 'checks' }, h('legend', {}, 'Tags'), boxes.map((b) => b.el));
  return form('Add a user', [h('div', { class: 'row' }, field('Username', name), field('Password', password)), tags], 'Add user', async (f) => {
    const chosen = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
    await put(path`/users/${name.value}`, { password: password.value, tags: chosen });
    notify(`User '${name.value}' added.`, 'ok');
    f.reset();
    await reload();
  });
}

function permissionTable(perms, reload) {
  const clear = (p) =>
    button('Clear', async () => {
      await del(path`/permissions/${p.vhost}/${p.user}`);
      notify(`Permissions of '${p.user}' in '${p.vhost}' cleared.`, 'ok');
      await reload();
    }, { class: 'small', 'aria-label': `Clear permissions of ${p.user} in ${p.vhost}` });
  return table('Permissions', [
    { label: 'User', get: (p) => p.user },
    { label: 'Virtual host', get: (p) => p.vhost },
    { label: 'Configure', get: (p) => p.configure },
    { label: 'Write', get: (p) => p.write },
    { label: 'Read', get: (p) => p.read },
    { label: 'Action', get: clear },
  ], perms, 'No permissions.');
}

async function permissionForm(reload) {
  const user = input({ required: true, autocomplete: 'off' });
  const vhost = await vhostSelect();
  const conf = input({ value: '.*' });
  const write = input({ value: '.*' });
  const read = input({ value: '.*' });
  const fields = h('div', { class: 'row' }, field('User', user), field('Virtual host', vhost), field('Configure regexp', conf), field('Write regexp', write), field('Read regexp', read));
  return form('Set permissions', fields, 'Set permissions', async () => {
    await put(path`/permissions/${vhost.value}/${user.value}`, { configure: conf.value, write: write.value, read: read.value });
    notify(`Permissions of '${user.value}' in '${vhost.value}' set.`, 'ok');
    await reload();
  });
}

export async function render(view) {
  const usersBox = h('div');
  const permBox = h('div');
  const loadUsers = async () => fill(usersBox, userTable(await get('/users'), loadUsers));
  const loadPerms = async () => fill(permBox, permissionTable(await get('/permissions'), loadPerms));
  const reloadBoth = async () => Promise.all([loadUsers(), loadPerms()]);
  fill(view.main, h('h1', {}, 'Users'), section('All users', usersBox, addUserForm(reloadBoth)), section('Permissions', permBox, await permissionForm(loadPerms)));
  await reloadBoth();
}
