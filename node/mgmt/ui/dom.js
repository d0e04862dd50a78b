// Building the page without innerHTML: every value becomes a text node or a property, so nothing
// the API returns is ever parsed as HTML.

const BOOL_PROPS = new Set(['checked', 'disabled', 'hidden', 'selected', 'required', 'multiple', 'open', 'readOnly']);

/** h('tag', { attr: value, onclick: fn, class: 'x' }, ...children); strings are text, null skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = String(v);
    else if (BOOL_PROPS.has(k)) el[k] = Boolean(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content with the given children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
const nextId = () => `f${++ids}`;

/** A labelled form field: <label for> + control, so screen readers and tests find it by label. */
export function field(label, control, hint) {
  if (!control.id) control.id = nextId();
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('small', { class: 'muted' }, hint) : null);
}

export const input = (attrs = {}) => h('input', { type: 'text', ...attrs });

/** A <select>; options are values or [value, text] pairs. */
export function select(options, attrs = {}) {
  const { value, ...rest } = attrs;
  const el = h('select', rest, options.map((o) => (Array.isArray(o) ? h('option', { value: o[0] }, o[1]) : h('option', { value: o }, o))));
  if (value !== undefined) el.value = value;
  return el;
}

/** A checkbox inside its label. */
export function checkbox(label, attrs = {}) {
  const box = h('input', { type: 'checkbox', ...attrs });
  return { box, el: h('label', { class: 'check' }, box, ' ', label) };
}

/** The message bar: errors stay until dismissed or the next page; other notes fade after 4 s. */
let fadeTimer = null;
export function notify(text, kind = 'error') {
  const bar = document.getElementById('messages');
  clearTimeout(fadeTimer);
  if (!text) return void bar.replaceChildren();
  const dismiss = h('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss message', onclick: () => bar.replaceChildren() }, '×');
  fill(bar, h('div', { class: `msg ${kind}` }, h('span', {}, text), dismiss));
  if (kind !== 'error') fadeTimer = setTimeout(() => bar.replaceChildren(), 4000);
}

/** A note to show once the next page is on screen (after a delete that leaves the page). */
let pending = null;
export function flash(text) {
  pending = text;
}
export function takeFlash() {
  const t = pending;
  pending = null;
  return t;
}

/** Runs an async action from a button or form: disables it meanwhile, shows a failure in the bar. */
export async function run(control, action) {
  if (control) control.disabled = true;
  try {
    return await action();
  } catch (e) {
    notify(e.message || String(e));
    return undefined;
  } finally {
    if (control) control.disabled = false;
  }
}

export const button = (label, onclick, attrs = {}) => {
  const b = h('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', () => run(b, onclick));
  return b;
};

/** A form with a heading; onSubmit(form) runs with the submit button disabled, errors in the bar. */
export function form(title, children, submitLabel, onSubmit) {
  const submit = h('button', { type: 'submit' }, submitLabel);
  const f = h('form', { class: 'card', 'aria-label': title }, h('h3', {}, title), children, h('div', { class: 'actions' }, submit));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(submit, () => onSubmit(f));
  });
  return f;
}

export const section = (title, ...children) => h('section', { 'aria-label': title }, h('h2', {}, title), children);

/** A table: columns are { label, get(row) -> text or node, cls }; cells carry data-label. */
export function table(label, columns, rows, empty = 'Nothing here.') {
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.label)));
  const body = rows.length
    ? rows.map((r) => h('tr', {}, columns.map((c) => h('td', { 'data-label': c.label, class: c.cls }, c.get(r)))))
    : [h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty))];
  return h('div', { class: 'scroll' }, h('table', { 'aria-label': label }, h('thead', {}, head), h('tbody', {}, body)));
}

/** [name, value] pairs as a two-column table with a narrow name column. */
export function facts(label, pairs, headings = ['Property', 'Value'], empty = 'None.') {
  const t = table(label, [{ label: headings[0], get: (r) => r[0], cls: 'key' }, { label: headings[1], get: (r) => r[1] }], pairs, empty);
  t.classList.add('facts');
  return t;
}

/** Keys and values of a JSON object as a small two-column table. */
export const kvTable = (label, obj) => facts(label, Object.entries(obj ?? {}).map(([k, v]) => [k, show(v)]), ['Key', 'Value']);

export const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
export const tag = (text, title, cls = '') => h('span', { class: `tag ${cls}`, title }, text);
export const link = (text, href) => h('a', { href }, text);

export const num = (n) => (typeof n === 'number' ? n.toLocaleString('en') : '–');
export const rate = (details) => `${(details?.rate ?? 0).toFixed(1)}/s`;

export function bytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function duration(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${mm}m` : `${mm}m ${s % 60}s`;
}

/** Hash route of an object page: #/queues/%2F/name */
export const route = (...parts) => `#/${parts.map(encodeURIComponent).join('/')}`;
