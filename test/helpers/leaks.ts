import type { Emulator } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import type { AppInstance } from './stack';

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/**
 * Scans every response the app sent (headers and bodies) and every line it logged during a test file
 * for tokens, refresh tokens and authorization codes. Secrets are taken from the emulator, which
 * knows everything it issued; any JWT shape is refused too.
 */
export async function assertNoSecretsLeaked(app: Pick<AppInstance, 'url' | 'logs'>, emu: Emulator, extra: string[] = []): Promise<void> {
  const secrets = [...(await emu.control.tokens.issuedSecrets()), ...extra].filter((s) => s && s.length >= 16);
  expect(secrets.length).toBeGreaterThan(0);
  const texts: { where: string; text: string }[] = [
    ...TestBrowser.seen.filter((r) => r.url.startsWith(app.url)).map((r) => ({ where: `response ${r.url.split('?')[0]}`, text: `${r.headers}\n${r.body}` })),
    ...app.logs.map((line) => ({ where: 'log', text: line })),
  ];
  expect(texts.length).toBeGreaterThan(0);
  for (const { where, text } of texts) {
    expect({ where, jwt: JWT.exec(text)?.[0] }).toEqual({ where, jwt: undefined });
    for (const s of secrets) {
      if (text.includes(s)) throw new Error(`${where} contains an issued secret (${s.slice(0, 6)}…)`);
    }
  }
}
