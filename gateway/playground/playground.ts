import { createHash } from 'node:crypto';
import path from 'node:path';
import { build } from 'esbuild';
import { Router, type Response } from 'express';

const ENTRY_POINT = path.join(__dirname, 'playground.tsx');
const ASSET_BASE_PATH = '/graphql/playground';

export interface PlaygroundAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface PlaygroundBundle {
  js: PlaygroundAsset;
  css: PlaygroundAsset;
}

// Only same-origin loads; this also stops any dependency from quietly reaching for a CDN.
// style-src needs 'unsafe-inline' because GraphiQL positions its panes with style attributes.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

// The empty data: icon stops browsers requesting /favicon.ico, which would only log a 404.
const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Market Hub · GraphQL playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_BASE_PATH}/playground.css">
</head>
<body>
<div id="root"></div>
<script src="${ASSET_BASE_PATH}/playground.js"></script>
</body>
</html>
`;

function toAsset(body: Buffer | string, contentType: string): PlaygroundAsset {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const etag = `"${createHash('sha256').update(buffer).digest('base64url').slice(0, 27)}"`;
  return { body: buffer, contentType, etag };
}

const HTML_ASSET = toAsset(HTML, 'text/html; charset=utf-8');

/** Bundles GraphiQL and its CSS from node_modules, in memory, so nothing is fetched from a CDN. */
export async function buildPlaygroundBundle(): Promise<PlaygroundBundle> {
  const result = await build({
    entryPoints: [ENTRY_POINT],
    bundle: true,
    write: false,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    // Fonts and icons are inlined so the stylesheet never points anywhere but itself.
    loader: {
      '.css': 'css',
      '.woff': 'dataurl',
      '.woff2': 'dataurl',
      '.ttf': 'dataurl',
      '.eot': 'dataurl',
      '.svg': 'dataurl',
      '.png': 'dataurl',
      '.gif': 'dataurl',
    },
    // esbuild only emits CSS as a separate file when it has an outdir; nothing is written there.
    outdir: path.join(__dirname, 'dist'),
    entryNames: 'playground',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const outputOf = (extension: string) => {
    const file = result.outputFiles.find((output) => output.path.endsWith(extension));
    if (!file) throw new Error(`playground: esbuild produced no ${extension} output`);
    return Buffer.from(file.contents);
  };
  return {
    js: toAsset(outputOf('.js'), 'text/javascript; charset=utf-8'),
    css: toAsset(outputOf('.css'), 'text/css; charset=utf-8'),
  };
}

function send(res: Response, asset: PlaygroundAsset): void {
  res.setHeader('Content-Type', asset.contentType);
  // no-cache + ETag: browsers revalidate and get a 304, so a redeployed gateway is picked up at once.
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('ETag', asset.etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // res.send answers 304 by itself when the request's If-None-Match matches the ETag.
  res.send(asset.body);
}

/**
 * Serves the GraphiQL playground: the page on `GET /graphql` for browsers, and its bundle under
 * `/graphql/playground/`. Mount it before the GraphQL middleware: `app.use(playgroundRouter())`.
 * The bundle is built on the first asset request, not at start-up, and shared by concurrent requests.
 */
export function playgroundRouter(): Router {
  let bundle: Promise<PlaygroundBundle> | undefined;
  const getBundle = () => {
    bundle ??= buildPlaygroundBundle().catch((error: unknown) => {
      // Forget the failure so the next request retries instead of serving the error forever.
      bundle = undefined;
      throw error;
    });
    return bundle;
  };

  const router = Router();

  router.get('/graphql', (req, res, next) => {
    // Listing JSON first means clients sending "*/*" (curl, fetch) still reach the GraphQL endpoint.
    const preferred = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']);
    if (preferred !== 'text/html') {
      next();
      return;
    }
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    send(res, HTML_ASSET);
  });

  router.get(`${ASSET_BASE_PATH}/:asset`, async (req, res, next) => {
    const kind = req.params.asset === 'playground.js' ? 'js' : req.params.asset === 'playground.css' ? 'css' : null;
    if (!kind) {
      next();
      return;
    }
    // Express 5 forwards a rejected build to the error handler.
    send(res, (await getBundle())[kind]);
  });

  return router;
}
