// The app shell: login, navigation, hash routes, and the 5-second refresh of the page on screen.
// Pages are modules under pages/, loaded on first visit; each exports render(view).

import { get, login, session, setUnauthorizedHandler } from './api.js';
import { field, fill, form, h, input, notify, takeFlash } from './dom.js';

const REFRESH_MS = 5000;

/**
 * What each of RabbitMQ's tags lets a user do, as the API decides it: administrator everything;
 * policymaker and monitoring each add their own powers to management's (not each other's).
 */
const GRANTS = {
  administrator: ['administrator', 'monitoring', 'policymaker', 'management'],
  monitoring: ['monitoring', 'management'],
  policymaker: ['policymaker', 'management'],
  management: ['management'],
};
/** Whether a user with these tags has the powers of `tag`. */
const canOf = (tags) => (tag) => (tags ?? []).some((t) => Object.hasOwn(GRANTS, t) && GRANTS[t].includes(tag));

/** Hash route -> page module and the tag a user needs to see it. */
const PAGES = {
  overview: ['overview', 'management', 'Overview'],
  connections: ['connections', 'management', 'Connections'],
  channels: ['connections', 'management', 'Channels'],
  exchanges: ['exchanges', 'management', 'Exchanges'],
  queues: ['queues', 'management', 'Queues'],
  users: ['users', 'administrator', 'Users'],
  vhosts: ['vhosts', 'administrator', 'Virtual hosts'],
  policies: ['policies', 'policymaker', 'Policies'],
  'operator-policies': ['policies', 'management', 'Operator policies'],
  upstreams: ['upstreams', 'policymaker', 'Federation'],
};
const MAIN_NAV = ['overview', 'connections', 'channels', 'exchanges', 'queues'];
const ADMIN_NAV = ['users', 'vhosts', 'policies', 'operator-policies', 'upstreams'];

let me = null; // { name, tags }
let current = null; // the view on screen

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  try {
    return parts.map(decodeURIComponent);
  } catch {
    return parts;
  }
}

function renderNav(page) {
  const nav = document.getElementById('nav');
  const can = canOf(me.tags);
  const item = (name) => {
    const [, tag, title] = PAGES[name];
    if (!can(tag)) return null;
    return h('a', { href: `#/${name}`, 'aria-current': name === page ? 'page' : null }, title);
  };
  const admin = ADMIN_NAV.map(item).filter(Boolean);
  fill(nav, MAIN_NAV.map(item), admin.length ? h('span', { class: 'nav-group' }, 'Admin:', admin) : null);
  nav.hidden = false;
  const who = document.getElementById('who');
  fill(who, h('span', {}, me.name), me.tags.length ? h('span', { class: 'muted' }, ` (${me.tags.join(', ')})`) : null, ' ', h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'));
  who.hidden = false;
}

async function show() {
  if (!me) return;
  const [name = 'overview', ...params] = parseHash();
  const page = PAGES[name] ? name : 'overview';
  if (current) current.alive = false;
  const container = h('div', { class: 'page' });
  fill(document.getElementById('main'), container);
  notify(takeFlash() ?? '', 'ok');
  const view = {
    main: container,
    page,
    params,
    /** Whether the user has the powers of a tag. */
    can: canOf(me.tags),
    alive: true,
    refreshers: [],
    /** Registers fn to run every 5 s while this page is on screen. */
    every(fn) {
      this.refreshers.push({ fn, busy: false });
    },
  };
  current = view;
  renderNav(page);
  document.title = `Warren: ${PAGES[page][2]}`;
  try {
    const mod = await import(`./pages/${PAGES[page][0]}.js`);
    if (view.alive) await mod.render(view);
  } catch (e) {
    if (view.alive) notify(e.message || String(e));
  }
}

async function refresh() {
  const view = current;
  if (!view || !view.alive || document.hidden) return;
  for (const r of view.refreshers) {
    if (r.busy) continue;
    r.busy = true;
    r.fn()
      .catch((e) => view.alive && notify(e.message || String(e)))
      .finally(() => (r.busy = false));
  }
}

function showLogin(reason) {
  me = null;
  if (current) current.alive = false;
  current = null;
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  document.title = 'Warren: log in';
  const user = input({ name: 'username', autocomplete: 'username', required: true });
  const password = input({ name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const f = form('Log in', [field('Username', user), field('Password', password)], 'Log in', async () => {
    try {
      me = await login(user.value, password.value);
    } catch (e) {
      notify(e.message);
      password.select();
      return;
    }
    await show();
  });
  f.classList.add('login');
  fill(document.getElementById('main'), f);
  notify(reason ?? '');
  user.focus();
}

function logout() {
  session.clear();
  showLogin();
}

async function start() {
  setUnauthorizedHandler((e) => {
    session.clear();
    showLogin(e.message);
  });
  if (!session.auth) return showLogin();
  try {
    me = await get('/whoami');
  } catch (e) {
    // the 401 handler has shown the login form if the credentials failed; any other failure shows it here
    if (session.auth) showLogin(e.message);
    return;
  }
  await show();
}

window.addEventListener('hashchange', () => void show());
setInterval(() => void refresh(), REFRESH_MS);
void start();
