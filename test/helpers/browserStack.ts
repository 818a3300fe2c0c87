import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startStack } from './stack';

type Stack = Awaited<ReturnType<typeof startStack>>;

/**
 * A browser test file's set-up: the app and emulator (the index on the embedded PGlite, as the demo
 * runs it; quotas out of the way) and Debian's Chromium, started before the file's tests and
 * closed after them. Read `stack` and `browser` inside tests, once beforeAll has run.
 */
export function useBrowserStack(): { readonly stack: Stack; readonly browser: Browser } {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000, hunting: 10_000 } }, {}, { index: 'pglite' });
    browser = await launchChromium();
    // PGlite compiles its WebAssembly at start: seconds on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
  };
}

/** Signs `upn` in from the page (the emulator's account picker, and its consent page the first time), landing on the queue. */
export async function signInOn(page: Page, appUrl: string, upn: string): Promise<void> {
  await page.goto(`${appUrl}/auth/signin`);
  await page.getByRole('button', { name: upn, exact: true }).click();
  // An analyst signing in for the first time may be asked to consent first.
  const accept = page.locator('button[value="accept"]');
  await Promise.race([page.waitForURL(`${appUrl}/incidents`), accept.waitFor()]);
  if (page.url() !== `${appUrl}/incidents`) {
    await accept.click();
    await page.waitForURL(`${appUrl}/incidents`);
  }
}
