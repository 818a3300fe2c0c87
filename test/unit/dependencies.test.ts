import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Control 42 as far as it can run here: the registry this machine reaches does not answer `npm
 * audit` (its advisory endpoint returns 405), so the audit gate is CI's (SECURITY.md). What can be
 * checked offline is that the lockfile pins exactly what package.json asks for, so `npm ci` installs
 * the reviewed tree and nothing else.
 */
describe('control 42: dependency checks (lockfile)', () => {
  const manifest = read('package.json') as Manifest;
  const lock = read('package-lock.json') as { lockfileVersion: number; packages: Record<string, Manifest & { version?: string; resolved?: string; integrity?: string; link?: boolean }> };

  it('the lockfile records package.json\'s dependencies exactly (npm ci refuses a lockfile that does not)', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    const root = lock.packages[''] as Manifest;
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
  });

  it('every direct dependency is locked to one version, with an integrity hash from the registry', () => {
    const direct = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((name) => !name.startsWith('@threatdesk/'));
    expect(direct.length).toBeGreaterThan(10);
    for (const name of direct) {
      const entry = lock.packages[`node_modules/${name}`];
      expect({ name, version: entry?.version }).toEqual({ name, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      expect({ name, integrity: entry?.integrity }).toEqual({ name, integrity: expect.stringMatching(/^sha512-/) });
    }
  });
});
