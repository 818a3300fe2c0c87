import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { startStack } from '../helpers/stack';

/**
 * Entra's front-channel sign-out as Chromium runs it: a page of the sign-in service frames
 * ThreatDesk's front-channel URL. The frame must load there (frame-ancestors names the sign-in
 * service), and nowhere else.
 */
type Stack = Awaited<ReturnType<typeof startStack>>;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  // As test/helpers/chromium.ts launches it, plus: the framing page below is served by Playwright, which
  // Chromium's Local Network Access checks take for a public site framing localhost.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Entra's sid and issuer for `upn`'s latest sign-in, as Entra would put them in the front-channel URL. */
async function frontChannelUrl(upn: string): Promise<string> {
  const user = await stack.emu.control.users.get(upn);
  const { clientId } = await stack.emu.control.app.registration();
  const claims = (await stack.emu.control.tokens.issuedSecrets())
    .filter((s) => s.split('.').length === 3)
    .map((jwt) => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, string>)
    .filter((c) => c.aud === clientId && c.oid === user?.oid)
    .at(-1);
  return `${stack.app.url}/auth/frontchannel-logout?sid=${encodeURIComponent(claims?.sid ?? '')}&iss=${encodeURIComponent(claims?.iss ?? '')}`;
}

/** Serves, at `origin`, a page that frames `target`, and waits for the frame to settle. */
async function framedFrom(page: Page, origin: string, target: string): Promise<{ frame: Frame; refused: string[] }> {
  const refused: string[] = [];
  page.on('console', (msg) => {
    if (/frame-ancestors/.test(msg.text())) refused.push(msg.text());
  });
  await page.route(`${origin}/front-channel-test`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>Signing out</title><iframe id="rp" src="${target}"></iframe>` }),
  );
  await page.goto(`${origin}/front-channel-test`);
  const frame = (await (await page.waitForSelector('#rp')).contentFrame()) as Frame;
  await frame.waitForLoadState('load');
  return { frame, refused };
}

test('the sign-in service\'s page can frame the front-channel sign-out, which ends the session', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.app.url}/auth/signin`);
  await page.getByRole('button', { name: 'alex@contoso.example', exact: true }).click();
  await page.waitForURL(`${stack.app.url}/incidents`);

  const { frame, refused } = await framedFrom(page, stack.emu.urls.browserBase, await frontChannelUrl('alex@contoso.example'));
  expect(refused).toEqual([]);
  expect(await frame.locator('body').textContent()).toBe('Signed out');

  // The browser's cookie names a session that no longer exists.
  const after = await context.request.get(`${stack.app.url}/incidents`, { maxRedirects: 0, headers: { accept: 'text/html' } });
  expect(after.status()).toBe(303);
  expect(after.headers().location).toBe('/auth/signin?returnTo=%2Fincidents');
  await context.close();
});

test('control 28: any other origin framing the front-channel URL, and any other page framed by anyone, is refused by the browser', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Another origin of this machine: same host name, another port, so not the sign-in service.
  const other = stack.app.url.replace('localhost', '127.0.0.1');
  const { frame, refused } = await framedFrom(page, other, `${stack.app.url}/auth/frontchannel-logout?sid=nobody`);
  expect(refused.length).toBeGreaterThan(0);
  expect(await frame.locator('body').textContent().catch(() => '')).not.toBe('Signed out');
  // And a page of ThreatDesk itself may not be framed even by the sign-in service.
  const page2 = await context.newPage();
  const own = await framedFrom(page2, stack.emu.urls.browserBase, `${stack.app.url}/auth/signed-out`);
  expect(own.refused.length).toBeGreaterThan(0);
  await context.close();
});
