import type { EmulatorOptions } from '@threatdesk/emulator';
import { TestBrowser } from '@threatdesk/emulator/testing';
import { assertNoSecretsLeaked } from './leaks';
import { startStack } from './stack';

type Stack = Awaited<ReturnType<typeof startStack>>;

/**
 * One emulator and app for a whole test file, and browsers that trust the emulator's CA. After the
 * file's last test it checks that no secret reached a page or a log line, then closes everything.
 * `emu` and `app` are read lazily because the stack only exists once `beforeAll` has run.
 */
/**
 * `codes`: authorization codes the file's sign-ins received, which the closing scan also looks for
 * (the emulator's own list holds tokens, not codes).
 */
export function useFileStack(options: EmulatorOptions = {}, env: Record<string, string | undefined> = {}, codes: string[] = []) {
  let stack: Stack | undefined;
  const browsers: TestBrowser[] = [];
  const started = (): Stack => {
    if (!stack) throw new Error('useFileStack: the stack starts in beforeAll; read it inside a test or hook');
    return stack;
  };

  beforeAll(async () => {
    stack = await startStack(options, env);
  });

  afterAll(async () => {
    const { app, emu, close } = started();
    await assertNoSecretsLeaked(app, emu, codes);
    await Promise.all(browsers.map((b) => b.close()));
    await close();
  });

  return {
    get emu() {
      return started().emu;
    },
    get app() {
      return started().app;
    },
    browser(): TestBrowser {
      const b = new TestBrowser(started().emu.caCertPem);
      browsers.push(b);
      return b;
    },
  };
}
