// Shared helpers of the browser tests: start the real server binary on a free loopback port,
// launch Debian's Chromium, run axe-core and save screenshots.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(here, '../..');
export const artifacts = path.join(here, 'artifacts');
export const ADMIN_TOKEN = 'test-admin';

export const PHONE = { width: 360, height: 740 };
export const WIDE = { width: 1920, height: 1080 };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts the server and resolves once GET /readyz returns 200. The server's output goes to
// artifacts/server-NAME.log so that a failure can be read after the run.
export async function startServer(name) {
  const binary = path.resolve(repoRoot, process.env.ATELIER_BIN || 'target/debug/atelier');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atelier-browser-'));
  const port = await freePort();

  await mkdir(artifacts, { recursive: true });
  const { createWriteStream } = await import('node:fs');
  const logName = `server-${name}.log`;
  const log = createWriteStream(path.join(artifacts, logName));
  // The public URL is set to the loopback address: by default the server would print this
  // machine's network address on join links, and the tests must only reach 127.0.0.1.
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, '--public-url', base], {
    cwd: repoRoot,
    env: { ...process.env, ATELIER_ADMIN_TOKEN: ADMIN_TOKEN, ATELIER_LOG: process.env.ATELIER_LOG || 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const deadline = Date.now() + 60000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), 100))]);
    if (early) throw new Error(`server exited before it was ready (${JSON.stringify(early)}); see artifacts/${logName}`);
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`server not ready on ${base}/readyz after 60 s; see artifacts/${logName}`);
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Opens a browser context and page; collects page errors and CSP violations for the checks.
export async function openPage(browser, { viewport = WIDE, name }) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`${name}: page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(text)) page.problems.push(`${name}: ${text}`);
    if (/missing message key/.test(text)) page.problems.push(`${name}: ${text}`);
  });
  page.on('dialog', (dialog) => dialog.accept());
  return page;
}

let axeSource = null;

// Runs axe-core (WCAG 2.0/2.1 A and AA rules) and returns the violations as readable lines.
// The script goes in through the DevTools protocol, so the page's strict CSP stays on.
export async function axeViolations(page) {
  if (!axeSource) axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const outcome = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return outcome.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return result;
}

// Checks a screen in French and in English, then switches back to French. With `shot`, also
// saves a screenshot of the English version under that name.
export async function checkA11y(page, label, { shot } = {}) {
  const lines = [];
  const french = await axeViolations(page);
  lines.push(...french.map((line) => `${label} [fr] ${line}`));
  await page.getByRole('button', { name: 'Switch to English' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const english = await axeViolations(page);
  lines.push(...english.map((line) => `${label} [en] ${line}`));
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Passer en français' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  return lines;
}

// Pages that were wider than a 360-pixel phone when screenshotted, checked at the end.
export const layoutProblems = [];

export async function screenshot(page, name, sizes = [PHONE, WIDE]) {
  await mkdir(artifacts, { recursive: true });
  const original = page.viewportSize();
  for (const size of sizes) {
    await page.setViewportSize(size);
    if (size.width === PHONE.width) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) layoutProblems.push(`${name}: ${overflow} px wider than a ${size.width}-pixel screen`);
    }
    await page.screenshot({ path: path.join(artifacts, `${name}-${size.width}x${size.height}.png`), fullPage: size.width < 1000 });
  }
  await page.setViewportSize(original);
}

// Creates a workshop through the API with the first preset theme and tables of 1 to 6.
export async function createWorkshopByApi(base, { title, tables }) {
  const presets = await (await fetch(`${base}/api/presets`)).json();
  const response = await fetch(`${base}/api/workshops`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title, themes: presets.slice(0, 1), tables, table_min: 1, table_max: 6 }),
  });
  if (response.status !== 201) throw new Error(`workshop creation returned ${response.status}`);
  return response.json();
}
