import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Request, type RequestHandler } from 'express';

// GraphiQL at GET /graphql for a browser, served entirely from this installation: the
// prebuilt browser builds of graphiql and React come from node_modules, the page and its
// start script from ./public. Nothing is built and nothing is fetched from elsewhere
// (docs/adr/0002-offline-graphiql.md). The page's Content-Security-Policy holds the
// browser to this origin too.

/** Where the page loads its files from, relative to /graphql (so a path prefix of a proxy still works). */
export const IDE_ASSET_PATH = '/graphiql';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const publicDir = join(import.meta.dirname, 'public');

/** The only files served under IDE_ASSET_PATH: names are fixed, so no path from a request reaches the disk. */
function assetFiles(): ReadonlyMap<string, string> {
  return new Map([
    ['react.production.min.js', join(packageDir('react'), 'umd', 'react.production.min.js')],
    ['react-dom.production.min.js', join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js')],
    ['graphiql.min.js', join(packageDir('graphiql'), 'graphiql.min.js')],
    ['graphiql.min.css', join(packageDir('graphiql'), 'graphiql.min.css')],
    ['start.js', join(publicDir, 'start.js')],
    ['ide.css', join(publicDir, 'ide.css')],
  ]);
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL's components set style attributes and inject <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * As Apollo Server decides to show its landing page: a GET whose Accept prefers HTML over
 * every GraphQL response type (a browser's address bar; `*\/*` from curl does not).
 */
function prefersHtml(req: Request): boolean {
  const types = ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html'];
  return req.get('accept') !== undefined && req.accepts(types) === 'text/html';
}

/**
 * GraphiQL, for `app.use(graphiqlRouter())` before the /graphql middleware. Resolves its
 * files when called, so a missing package stops the gateway at start, not a browser later.
 */
export function graphiqlRouter(): Router {
  const files = assetFiles();
  for (const file of files.values()) require.resolve(file);
  const router = Router({ strict: true });

  const page: RequestHandler = (req, res, next) => {
    if (!prefersHtml(req)) return next();
    res.set({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    res.sendFile(join(publicDir, 'index.html'));
  };
  router.get('/graphql', page);

  router.get(`${IDE_ASSET_PATH}/:file`, (req, res, next) => {
    const file = files.get(req.params.file);
    if (!file) return next();
    res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=3600' });
    res.sendFile(file);
  });
  return router;
}
