import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import ts from 'typescript';
import { VIEW_LOCALS, VIEW_OPTIONS } from '../../src/web/viewLocals';

const VIEWS = path.resolve(__dirname, '../../views');
const files = readdirSync(VIEWS, { recursive: true }).map(String).filter((f) => f.endsWith('.ejs'));

describe('templates', () => {
  it.each(files)('%s compiles', (file) => {
    const full = path.join(VIEWS, file);
    expect(() => ejs.compile(readFileSync(full, 'utf8'), { ...VIEW_OPTIONS, filename: full })).not.toThrow();
  });

  it.each(files)('%s reads only names the app declares for views (compiled without `with`, another would throw)', (file) => {
    expect(freeNames(path.join(VIEWS, file)).filter((n) => !VIEW_LOCALS.includes(n))).toEqual([]);
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

/** What EJS itself defines in a compiled view. */
const EJS_NAMES = new Set(['__append', 'locals', 'escapeFn', 'include', 'rethrow', 'undefined', 'arguments']);

/**
 * The names a view reads from its locals: each identifier its compiled code uses that nothing in it
 * declares and that is not a property, a key or a global.
 */
function freeNames(file: string): string[] {
  // generateSource() and source are EJS's own (not in its type definitions): the view's code, unwrapped.
  const template = new ejs.Template(readFileSync(file, 'utf8'), { _with: false, compileDebug: false, filename: file }) as unknown as { generateSource(): void; source: string };
  template.generateSource();
  const source = ts.createSourceFile('view.js', `function view() {${template.source}}`, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isParameter(node) || ts.isBindingElement(node)) && node.name && ts.isIdentifier(node.name)) {
      declared.add(node.name.text);
    } else if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isKey = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
      if (!isKey) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...used].filter((n) => !declared.has(n) && !(n in globalThis) && !EJS_NAMES.has(n)).sort();
}
