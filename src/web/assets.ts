import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';

const YEAR_S = 365 * 24 * 3600;

/**
 * The static files (public/), each addressed by its content: asset('css/app.css') is
 * /static/css/app.css?v=<hash of the file>. A request naming the current hash may be kept for a
 * year (immutable); a changed file has a new URL, so no browser ever runs a stale script. Other
 * requests (an old hash, none) get the file with a short lifetime.
 */
export function staticAssets(root: string) {
  const hashes = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hashes.set(path.relative(root, full).split(path.sep).join('/'), createHash('sha256').update(readFileSync(full)).digest('base64url').slice(0, 12));
    }
  };
  walk(root);

  const asset = (file: string): string => {
    const hash = hashes.get(file);
    if (hash === undefined) throw new Error(`no static file ${file}`);
    return `/static/${file}?v=${hash}`;
  };

  const serve: express.RequestHandler[] = [
    (req, res, next) => {
      res.locals.immutable = req.query.v !== undefined && req.query.v === hashes.get(req.path.slice(1));
      next();
    },
    // fallthrough: false, so a missing file or an impossible Range ends here as plain text, never as a
    // page rendered under the Content-Type already chosen for the file.
    express.static(root, {
      index: false,
      maxAge: '1h',
      fallthrough: false,
      setHeaders: (res: express.Response) => {
        if (res.locals.immutable === true) res.setHeader('Cache-Control', `public, max-age=${YEAR_S}, immutable`);
      },
    }),
  ];
  return { asset, serve };
}
