// Admin > Policies and Operator policies: the list (edit, delete) and one create/edit form whose
// definition is typed key/value rows, with one-click keys for queues, mirroring (ha-*) and federation.

import { del, get, path, put } from '../api.js';
import { OPERATOR_POLICY_KEYS, POLICY_KEYS, definitionTags, vhostSelect } from '../common.js';
import { button, field, fill, form, h, input, notify, section, select, table } from '../dom.js';
import { kvEditor } from '../kv-editor.js';

/** Keys offered as one-click buttons, grouped as RabbitMQ's UI does. */
const HINTS = {
  policy: [
    ['Queues', ['message-ttl', 'expires', 'max-length', 'max-length-bytes', 'overflow', 'dead-letter-exchange', 'dead-letter-routing-key', 'queue-mode']],
    ['Mirroring', ['ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure']],
    ['Federation', ['federation-upstream', 'federation-upstream-set']],
    ['Exchanges', ['alternate-exchange']],
  ],
  'operator-policy': [['Queues', Object.keys(OPERATOR_POLICY_KEYS)]],
};

const APPLY_TO = [
  ['all', 'Exchanges and queues'],
  ['queues', 'Queues'],
  ['exchanges', 'Exchanges'],
];

function policyForm(kind, vhost, reload) {
  const noun = kind === 'policy' ? 'policy' : 'operator policy';
  const name = input({ required: true, autocomplete: 'off' });
  const pattern = input({ required: true, autocomplete: 'off', placeholder: '^amq\\.' });
  const applyTo = select(kind === 'policy' ? APPLY_TO : APPLY_TO.filter(([v]) => v === 'queues'));
  const priority = input({ type: 'number', value: 0, step: 1 });
  const def = kvEditor('Definition', kind === 'policy' ? POLICY_KEYS : OPERATOR_POLICY_KEYS);
  const hints = h(
    'div',
    { class: 'hints' },
    HINTS[kind].map(([group, keys]) => h('div', {}, h('span', { class: 'muted' }, `${group}: `), keys.map((k) => button(k, () => def.add(k), { class: 'link hint', title: `Add ${k}` })))),
  );
  const f = form(
    `Add or update ${noun === 'policy' ? 'a policy' : 'an operator policy'}`,
    [
      h('div', { class: 'row' }, field('Virtual host', vhost), field('Name', name), field('Pattern', pattern, 'A regular expression on queue / exchange names'), field('Apply to', applyTo), field('Priority', priority)),
      def.el,
      hints,
    ],
    `Save ${noun}`,
    async () => {
      const body = { pattern: pattern.value, 'apply-to': applyTo.value, priority: Number(priority.value || 0), definition: def.value() };
      await put(path`/${kind === 'policy' ? 'policies' : 'operator-policies'}/${vhost.value}/${name.value}`, body);
      notify(`${kind === 'policy' ? 'Policy' : 'Operator policy'} '${name.value}' saved.`, 'ok');
      await reload();
    },
  );
  return {
    el: f,
    edit(p) {
      vhost.value = p.vhost;
      name.value = p.name;
      pattern.value = p.pattern;
      applyTo.value = p['apply-to'];
      priority.value = String(p.priority);
      def.set(p.definition);
      f.scrollIntoView({ block: 'start' });
      name.focus();
    },
  };
}

export async function render(view) {
  const kind = view.page === 'policies' ? 'policy' : 'operator-policy';
  const api = kind === 'policy' ? 'policies' : 'operator-policies';
  const title = kind === 'policy' ? 'Policies' : 'Operator policies';
  const canEdit = view.can(kind === 'policy' ? 'policymaker' : 'administrator');
  const box = h('div');
  let editor = null;
  const load = async () => {
    const list = await get(`/${api}`);
    list.sort((a, b) => a.vhost.localeCompare(b.vhost) || b.priority - a.priority || a.name.localeCompare(b.name));
    const actions = (p) =>
      canEdit
        ? h(
            'span',
            { class: 'tags' },
            button('Edit', () => editor.edit(p), { class: 'small', 'aria-label': `Edit ${p.name}` }),
            button('Delete', async () => {
              if (!window.confirm(`Delete ${kind === 'policy' ? 'policy' : 'operator policy'} '${p.name}'?`)) return;
              await del(path`/${api}/${p.vhost}/${p.name}`);
              notify(`'${p.name}' deleted.`, 'ok');
              await load();
            }, { class: 'small danger', 'aria-label': `Delete ${p.name}` }),
          )
        : '';
    fill(box, table(title, [
      { label: 'Virtual host', get: (p) => p.vhost },
      { label: 'Name', get: (p) => p.name },
      { label: 'Pattern', get: (p) => h('code', {}, p.pattern) },
      { label: 'Apply to', get: (p) => p['apply-to'] },
      { label: 'Priority', get: (p) => String(p.priority), cls: 'n' },
      { label: 'Definition', get: (p) => definitionTags(p.definition) },
      { label: 'Action', get: actions },
    ], list, `No ${title.toLowerCase()}.`));
  };
  fill(view.main, h('h1', {}, title), section(`All ${title.toLowerCase()}`, box));
  if (canEdit) {
    editor = policyForm(kind, await vhostSelect(), load);
    view.main.append(editor.el);
  }
  await load();
}
