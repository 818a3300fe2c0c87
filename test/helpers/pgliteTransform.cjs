/**
 * Jest runs tests in a vm without ES module support, where `import()` throws unless Node runs with
 * --experimental-vm-modules. PGlite's CommonJS build loads Node's own modules that way (fs, module,
 * zlib…), so in tests those imports become requires. Nothing outside Jest needs
 * this: Node itself runs PGlite's `import()` as it is.
 */
module.exports = {
  process(source) {
    const rewritten = source.replace(/\bimport\(("[a-z/]+")\)/g, 'Promise.resolve(__pgliteRequire($1))');
    return { code: rewritten.replace(/^("use strict";)?/, '$1var __pgliteRequire = require;') };
  },
};
