// Key/value rows with typed values, for policy definitions, arguments, headers and upstream settings.
// Values are typed explicitly (RabbitMQ refuses "2" where it wants 2): Number, String, Boolean or List
// (comma-separated strings, e.g. ha-params for ha-mode=nodes).

import { button, h, select } from './dom.js';

export const TYPES = [
  ['number', 'Number'],
  ['string', 'String'],
  ['boolean', 'Boolean'],
  ['list', 'List'],
];

function typeOf(v) {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'list';
  return 'string';
}

function text(v) {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** The typed value of one row; throws naming the key when the text does not fit the type. */
function parse(key, type, raw) {
  const s = raw.trim();
  if (type === 'number') {
    const n = Number(s);
    if (s === '' || !Number.isFinite(n)) throw new Error(`${key}: '${raw}' is not a number`);
    return n;
  }
  if (type === 'boolean') {
    if (s !== 'true' && s !== 'false') throw new Error(`${key}: a boolean is true or false, not '${raw}'`);
    return s === 'true';
  }
  if (type === 'list') return s === '' ? [] : s.split(',').map((x) => x.trim());
  return raw;
}

/**
 * An editor. `label` names the rows for assistive tech ("Definition key 1", "Definition value 1",
 * "Definition type 1"); `known` maps well-known keys to their type (picked when the key is typed) and
 * feeds a datalist of suggestions.
 */
export function kvEditor(label, known = {}) {
  const listId = `kv-${label.replace(/\W+/g, '-').toLowerCase()}-keys`;
  const datalist = h('datalist', { id: listId }, Object.keys(known).map((k) => h('option', { value: k })));
  const rowsEl = h('div', { class: 'kv-rows' });
  const rows = [];

  function renumber() {
    rows.forEach((r, i) => {
      r.key.setAttribute('aria-label', `${label} key ${i + 1}`);
      r.value.setAttribute('aria-label', `${label} value ${i + 1}`);
      r.type.setAttribute('aria-label', `${label} type ${i + 1}`);
      r.remove.setAttribute('aria-label', `Remove ${label.toLowerCase()} row ${i + 1}`);
    });
  }

  function addRow(k = '', v = '', t = 'string') {
    const key = h('input', { type: 'text', list: listId, value: k, autocomplete: 'off' });
    const value = h('input', { type: 'text', value: text(v) });
    const type = select(TYPES, { value: t });
    const row = { key, value, type };
    key.addEventListener('input', () => {
      const kt = known[key.value.trim()];
      if (kt) type.value = kt;
    });
    row.remove = button('×', () => {
      rows.splice(rows.indexOf(row), 1);
      row.el.remove();
      if (rows.length === 0) addRow();
      renumber();
    }, { class: 'link' });
    row.el = h('div', { class: 'kv-row' }, key, h('span', { 'aria-hidden': 'true' }, '='), value, type, row.remove);
    rows.push(row);
    rowsEl.append(row.el);
    renumber();
    return row;
  }

  const el = h('fieldset', { class: 'kv' }, h('legend', {}, label), rowsEl, datalist, button(`Add ${label.toLowerCase()} row`, () => addRow().key.focus(), { class: 'small' }));
  addRow();

  return {
    el,
    /** The rows as an object, skipping rows without a key. */
    value() {
      const out = {};
      for (const r of rows) {
        const k = r.key.value.trim();
        if (k) out[k] = parse(k, r.type.value, r.value.value);
      }
      return out;
    },
    /** Puts a key in the first empty row (or a new one), typed as `known` says; focuses its value. */
    add(k) {
      const row = rows.find((r) => r.key.value.trim() === '') ?? addRow();
      row.key.value = k;
      row.type.value = known[k] ?? 'string';
      row.value.focus();
    },
    set(obj) {
      rows.splice(0).forEach((r) => r.el.remove());
      for (const [k, v] of Object.entries(obj ?? {})) addRow(k, v, typeOf(v));
      if (rows.length === 0) addRow();
    },
  };
}
