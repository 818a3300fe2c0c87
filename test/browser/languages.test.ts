import { CONTOSO_ID } from '@threatdesk/emulator';
import type { BrowserContext, Page } from 'playwright-core';
import { translatorFor } from '../../src/i18n/i18n';
import { accessibilityViolations } from '../helpers/chromium';
import { englishSentences, sentencesIn } from '../helpers/englishLeft';
import { signInOn, useBrowserStack } from '../helpers/browserStack';

const s = useBrowserStack();

/** Every page an analyst or admin reads; the incident ones filled in once the stack is up. */
async function allPages(): Promise<string[]> {
  const visible = new Set(await s.stack.emu.control.incidents.visibleIds('riley@contoso.example'));
  const id = (await s.stack.emu.control.incidents.list(CONTOSO_ID)).find((i) => i.status === 'Active' && visible.has(i.incidentId))?.incidentId;
  return ['/incidents', `/incidents/${id}`, `/incidents?preview=${id}`, `/bulk?ids=${id}`, '/jobs', '/handover', '/metrics', '/hunting', '/me/token', '/me/preferences', '/admin/consent', '/admin/status', '/no-such-page'];
}

async function context(locale: string, timezoneId = 'UTC', size = { width: 1440, height: 900 }): Promise<BrowserContext> {
  return s.browser.newContext({ locale, timezoneId, viewport: size });
}

/** What the analyst reads on the page: its text as rendered, and the labels of what it shows. */
const readable = (page: Page) =>
  page.evaluate(() => {
    const attrs = Array.from(document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')).map((el) => ['title', 'aria-label', 'placeholder', 'alt'].map((a) => el.getAttribute(a) ?? '').join(' '));
    return `${document.body.innerText} ${attrs.join(' ')}`;
  });

describe('languages in the browser', () => {
  it('a visitor whose browser speaks French gets French, and the top bar\'s switch changes it for the pages after', async () => {
    const ctx = await context('fr-FR');
    try {
      const page = await ctx.newPage();
      await page.goto(`${s.stack.app.url}/admin/consent`);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(await page.locator('.who a.button').textContent()).toBe('Se connecter');
      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL(/\/admin\/consent\?lang=en$/);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.goto(`${s.stack.app.url}/`);
      expect(await page.locator('.who a.button').textContent()).toBe('Sign in');
    } finally {
      await ctx.close();
    }
  });

  it.each(['en', 'fr'])('every page renders in %s, in that language only', async (lang) => {
    const ctx = await context(lang === 'fr' ? 'fr-FR' : 'en-US');
    try {
      const page = await ctx.newPage();
      await signInOn(page, s.stack.app.url, 'riley@contoso.example');
      const tr = translatorFor(lang);
      const english = lang === 'en' ? [] : englishSentences(lang);
      for (const path of await allPages()) {
        await page.goto(`${s.stack.app.url}${path}`);
        expect({ path, lang: await page.getAttribute('html', 'lang'), signOut: await page.locator('.who button.link').textContent() }).toEqual({ path, lang, signOut: tr('common:signOut') });
        expect({ path, english: sentencesIn(await readable(page), english) }).toEqual({ path, english: [] });
      }
    } finally {
      await ctx.close();
    }
  });

  it('writes times in the browser\'s time zone, which the page\'s script sends', async () => {
    const ctx = await context('fr-FR', 'Asia/Tokyo');
    try {
      const page = await ctx.newPage();
      await signInOn(page, s.stack.app.url, 'riley@contoso.example');
      await page.goto(`${s.stack.app.url}/me/preferences`);
      expect(await page.locator('#zone-help').textContent()).toMatch(/\d\d:\d\d UTC\+9\.$/);
    } finally {
      await ctx.close();
    }
  });

  describe.each([
    ['desktop', { width: 1440, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ] as const)('no accessibility violations in French on the %s', (_name, size) => {
    it('signed out and signed in, on every page', async () => {
      const ctx = await context('fr-FR', 'Europe/Paris', size);
      try {
        const page = await ctx.newPage();
        for (const path of ['/', '/admin/consent', '/auth/signed-out']) {
          await page.goto(`${s.stack.app.url}${path}`);
          expect([path, await accessibilityViolations(page)]).toEqual([path, []]);
        }
        await signInOn(page, s.stack.app.url, 'riley@contoso.example');
        for (const path of await allPages()) {
          await page.goto(`${s.stack.app.url}${path}`);
          expect([path, await accessibilityViolations(page)]).toEqual([path, []]);
        }
      } finally {
        await ctx.close();
      }
    });
  });
});
