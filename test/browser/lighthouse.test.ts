import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CONTOSO_ID } from '@threatdesk/emulator';
import { chromium, type BrowserContext, type Cookie } from 'playwright-core';
import { signInOn } from '../helpers/browserStack';
import { startStack } from '../helpers/stack';

/**
 * Lighthouse itself (its CLI, on Debian's Chromium through the DevTools port), not a stand-in:
 * accessibility and best practices must score 100 on the pages analysts and admins use, at desktop
 * and phone sizes. The browser's own profile (the context Lighthouse opens its tab in) holds the
 * analyst's session cookie for the signed-in pages, and none for the landing page.
 */

const run = promisify(execFile);
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: BrowserContext;
let port: number;
let cookies: Cookie[];
const profile = mkdtempSync(path.join(tmpdir(), 'threatdesk-lighthouse-'));
const pages: Record<string, string> = {};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: p } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return p;
}

beforeAll(async () => {
  stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } }, {}, { index: 'pglite' });
  port = await freePort();
  browser = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`] });
  const page = await browser.newPage();
  await signInOn(page, stack.app.url, 'riley@contoso.example');
  const visible = new Set(await stack.emu.control.incidents.visibleIds('riley@contoso.example'));
  const id = (await stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Active' && visible.has(i.incidentId))?.incidentId;
  // A finished bulk job, for its progress page.
  await page.goto(`${stack.app.url}/bulk?ids=${id}`);
  await page.locator('#bulk-add-tags').fill('audited');
  await page.locator('#start-job').click();
  await page.waitForURL(/\/jobs\//);
  const job = new URL(page.url()).pathname;
  // A shift note, for the handover page to show one.
  await page.goto(`${stack.app.url}/handover`);
  await page.locator('#note').fill('Quiet night; #1002 waits on the server team.');
  await page.locator('#note-form button').click();
  await page.waitForURL(/\/handover$/);
  Object.assign(pages, { landing: '/', queue: '/incidents', incident: `/incidents/${id}`, 'bulk progress': job, 'admin consent': '/admin/consent', token: '/me/token', metrics: '/metrics?days=90', handover: '/handover?hours=72', hunting: '/hunting' });
  cookies = await browser.cookies(stack.app.url);
  await page.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(profile, { recursive: true, force: true });
});

interface Audit {
  score: number | null;
  scoreDisplayMode: string;
  title: string;
}

const withLang = (path: string, lang: string) => (lang === 'en' ? path : `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);

// French last: ?lang=fr is remembered for the analyst, as it is meant to be.
describe.each([
  ['desktop', 'en', ['--preset=desktop']],
  ['phone', 'en', ['--form-factor=mobile', '--throttling-method=provided']],
  ['desktop', 'fr', ['--preset=desktop']],
] as const)('Lighthouse on the %s, in %s', (_size, lang, flags) => {
  it.each(['landing', 'queue', 'incident', 'bulk progress', 'admin consent', 'token', 'metrics', 'handover', 'hunting'])('%s page: accessibility 100, best practices 100', async (name) => {
    const target = withLang(pages[name]!, lang);
    // The landing page as a visitor sees it; the others as the signed-in analyst.
    await browser.clearCookies();
    if (name !== 'landing') await browser.addCookies(cookies);
    const { stdout } = await run(
      process.execPath,
      [require.resolve('lighthouse/cli/index.js'), `${stack.app.url}${target}`, `--port=${port}`, '--only-categories=accessibility,best-practices', '--output=json', '--quiet', ...flags],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as { finalDisplayedUrl: string; categories: Record<string, { score: number }>; audits: Record<string, Audit> };
    // Audited as the analyst sees it, not a sign-in page.
    const shown = new URL(report.finalDisplayedUrl);
    expect(shown.pathname + shown.search).toBe(target);
    const failing = Object.entries(report.audits)
      .filter(([, a]) => a.score !== null && a.score < 1 && (a.scoreDisplayMode === 'binary' || a.scoreDisplayMode === 'numeric'))
      .map(([id, a]) => `${id}: ${a.title}`);
    expect({ accessibility: report.categories.accessibility?.score, bestPractices: report.categories['best-practices']?.score, failing }).toEqual({ accessibility: 1, bestPractices: 1, failing: [] });
  }, 90_000);
});
