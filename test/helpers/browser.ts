// Debian's Chromium driven by playwright-core (never a downloaded browser), for the web UI's tests.
// Headless, with the flags this machine needs (its closed network refuses Chromium's background
// connections) and a fresh profile folder, removed on close. Tests skip with a printed reason when
// /usr/bin/chromium is missing (`npm test` installs it: scripts/system-deps.mjs).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** false when Chromium is there, else the reason to skip (printed once). */
export const browserSkip: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install chromium)`;
if (browserSkip) console.error(`# skip: ${browserSkip}`);

/** Every wait in a UI test is bounded by this unless it says otherwise. */
export const UI_TIMEOUT_MS = 20_000;

export interface TestBrowser {
  readonly context: BrowserContext;
  /** A new tab (its own sessionStorage, so logged out) with bounded waits; confirm() dialogs are accepted. */
  newPage(): Promise<Page>;
  /** Uncaught exceptions thrown by the pages' scripts (a UI bug if any). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'warren-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
    viewport: { width: 1400, height: 900 },
  });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(15_000);
  const pageErrors: string[] = [];
  // the persistent context opens with one blank tab; tests use tabs of their own
  for (const p of context.pages()) await p.close();
  return {
    context,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
      page.on('dialog', (d) => void d.accept());
      return page;
    },
    async close() {
      const closing = context.close();
      await Promise.race([closing, new Promise((r) => setTimeout(r, 10_000))]);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 100 ms until it returns true; throws `what` (with the last value seen) after timeoutMs. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What closes a tab when its test ends (a tap Test). */
interface Scope {
  teardown(fn: () => unknown): void;
}

export interface UiNode {
  /** http://127.0.0.1:PORT/, the UI's address. */
  readonly base: string;
  /** The API directly, as guest: the status, and the JSON (null for an empty body). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** A new tab logged in through the form (as guest unless told), at `hash`; closed when `scope` ends. */
  loggedIn(scope: Scope, hash?: string, user?: string, password?: string): Promise<Page>;
}

/** A node's management UI and API, as a browser test drives them. */
export function uiNode(browser: TestBrowser, mgmtPort: number): UiNode {
  const base = `http://127.0.0.1:${mgmtPort}/`;
  const headers = { Authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'Content-Type': 'application/json' };
  return {
    base,
    async api(method, path, body) {
      const res = await fetch(`${base}api${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    async loggedIn(scope, hash = '', user = 'guest', password = 'guest') {
      const page = await browser.newPage();
      scope.teardown(() => page.close());
      await page.goto(base);
      await page.getByLabel('Username').fill(user);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      if (hash) await page.goto(`${base}${hash}`);
      return page;
    },
  };
}

/** The UI's message bar (errors and notes). */
export const messageBar = (page: Page) => page.locator('#messages');
/** The rows of the table labelled `table` with a cell (or link) whose whole text is `text`. */
export const tableRow = (page: Page, table: string, text: string) => page.getByRole('table', { name: table, exact: true }).locator('tbody tr', { has: page.getByText(text, { exact: true }) });
/** That row's cell in `column` (cells carry their column's label as data-label). */
export const tableCell = (page: Page, table: string, text: string, column: string) => tableRow(page, table, text).locator(`td[data-label="${column}"]`);
