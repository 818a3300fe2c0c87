import { CONTOSO_ID } from '@threatdesk/emulator';
import { TestBrowser, type Page } from '@threatdesk/emulator/testing';
import { scopeFor } from '../../src/auth/scopes';
import { signIn } from '../helpers/appSignIn';
import { useFileStack } from '../helpers/fileStack';

/**
 * A change typed before a detour through sign-in belongs to the analyst who typed it, not to the
 * browser; and a change Microsoft refused (403) is shown again but never kept as pending.
 */
const stack = useFileStack({ quotas: { list: 10_000, get: 10_000, update: 10_000, graph: 10_000 } });
const browser = () => stack.browser();

/** Signs another analyst in on the same browser, through the account picker. */
const switchTo = (b: TestBrowser, upn: string) => signIn(b, stack.app.url, upn, { start: `${stack.app.url}/auth/signin?prompt=select_account` });
const incidentFor = async (upn: string) => (await stack.emu.control.incidents.visibleIds(upn))[0] as number;
const comment = (b: TestBrowser, page: Page, text: string) => b.submit(page, '#save', { comment: text });

describe('a typed change follows the analyst, not the browser', () => {
  it('control 33: a read-only analyst refused a change (403) sees the text kept on the page, but it is not kept as pending', async () => {
    const b = browser();
    await signIn(b, stack.app.url, 'alex@contoso.example');
    const id = await incidentFor('alex@contoso.example');
    const text = 'Looks benign to me (alex).';
    const refused = await comment(b, await b.get(`${stack.app.url}/incidents/${id}`), text);
    expect(refused.status).toBe(403);
    expect(refused.$('#forbidden').text()).toContain('Your role does not allow this');
    expect(refused.$('#comment-input').text()).toBe(text);

    // Reloading the incident: nothing is offered to send again.
    const again = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(again.status).toBe(200);
    expect(again.$('#pending-change')).toHaveLength(0);
    expect(again.$('#comment-input').text()).toBe('');

    // Nor to whoever signs in next on this browser.
    await switchTo(b, 'riley@contoso.example');
    const rileys = await b.get(`${stack.app.url}/incidents/${id}`);
    expect(rileys.$('.user').text()).toContain('Riley');
    expect(rileys.$('#pending-change')).toHaveLength(0);
    expect(rileys.body).not.toContain(text);
  });

  it('a change kept for a sign-in is offered to the analyst who typed it, never to another analyst who signs in on the same browser', async () => {
    const write = scopeFor(stack.app.services.config.securityApi, 'write');
    const before = await stack.emu.control.consent.tenantScopes(CONTOSO_ID);
    await stack.emu.control.consent.revokeAdmin(CONTOSO_ID, [write]);
    try {
      const b = browser();
      await signIn(b, stack.app.url, 'alex@contoso.example');
      const id = await incidentFor('alex@contoso.example');
      const text = 'Escalate (typed by alex).';
      const post = await comment(b, await b.get(`${stack.app.url}/incidents/${id}`), text);
      // No write permission yet: ThreatDesk keeps the change and sends alex to consent.
      expect(post.status).toBe(303);
      expect(post.location).toBe(`${stack.app.url}/auth/signin?scope=write&returnTo=${encodeURIComponent(`/incidents/${id}`)}`);

      // Instead riley signs in on this browser: alex's change is not riley's.
      await switchTo(b, 'riley@contoso.example');
      const rileys = await b.get(`${stack.app.url}/incidents/${id}`);
      expect(rileys.status).toBe(200);
      expect(rileys.$('.user').text()).toContain('Riley');
      expect(rileys.$('#pending-change')).toHaveLength(0);
      expect(rileys.body).not.toContain(text);
      // Dropped for good: alex, back on this browser, does not find it either.
      await switchTo(b, 'alex@contoso.example');
      expect((await b.get(`${stack.app.url}/incidents/${id}`)).$('#pending-change')).toHaveLength(0);
    } finally {
      await stack.emu.control.consent.grantAdmin(CONTOSO_ID, [write]);
      expect(await stack.emu.control.consent.tenantScopes(CONTOSO_ID)).toEqual(before);
    }
  });
});
