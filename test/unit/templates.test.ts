import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

const VIEWS = path.resolve(__dirname, '../../views');
const files = readdirSync(VIEWS, { recursive: true }).map(String).filter((f) => f.endsWith('.ejs'));

describe('templates', () => {
  it.each(files)('%s compiles', (file) => {
    const full = path.join(VIEWS, file);
    expect(() => ejs.compile(readFileSync(full, 'utf8'), { filename: full })).not.toThrow();
  });

  it.each(files)('control 27: %s has no inline handlers, javascript: URLs or inline script/style', (file) => {
    const text = readFileSync(path.join(VIEWS, file), 'utf8');
    expect(text).not.toMatch(/\son[a-z]+\s*=/i);
    expect(text).not.toMatch(/javascript:/i);
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(text).not.toMatch(/\sstyle\s*=/i);
  });

  it.each(files)('%s prints unescaped output only for includes and the escaped hidden fields', (file) => {
    const raw = readFileSync(path.join(VIEWS, file), 'utf8').match(/<%-\s*[^%]*/g) ?? [];
    for (const tag of raw) expect(tag).toMatch(/^<%-\s*(include\(|hidden\(\))/);
  });
});
