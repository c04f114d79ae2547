import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import express, { type Router } from 'express';
import { playgroundRouter } from './playground';

// Wrapped rather than replaced: the tests build the real bundle and count how often that happens.
jest.mock('esbuild', () => {
  const actual = jest.requireActual<typeof import('esbuild')>('esbuild');
  return { ...actual, build: jest.fn(actual.build) };
});

const BUILD_TIMEOUT_MS = 30_000;
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const EXTERNAL_HOSTS = ['unpkg.com', 'cdn.jsdelivr', 'fonts.googleapis', 'fonts.gstatic'];

interface RunningApp {
  baseUrl: string;
  close(): Promise<void>;
}

async function startApp(router: Router): Promise<RunningApp> {
  const app = express();
  app.use(router);
  // Stands in for the GraphQL middleware that the playground must not shadow.
  app.get('/graphql', (_req, res) => {
    res.json({ reachedGraphQLEndpoint: true });
  });
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('playgroundRouter', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(playgroundRouter());
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app.baseUrl}${path}`, { headers });

  it('serves the playground page to browsers on GET /graphql', async () => {
    const response = await get('/graphql', { Accept: BROWSER_ACCEPT });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<script src="/graphql/playground/playground.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/graphql/playground/playground.css">');
  });

  it('leaves JSON and wildcard GET /graphql requests to the GraphQL endpoint', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const response = await get('/graphql', { Accept: accept });
      expect(await response.json()).toEqual({ reachedGraphQLEndpoint: true });
    }
  });

  it('does not answer for unknown playground assets', async () => {
    const response = await get('/graphql/playground/secrets.json');

    expect(response.status).toBe(404);
  });

  it(
    'serves the bundled script and stylesheet with revalidation headers',
    async () => {
      const [js, css] = await Promise.all([get('/graphql/playground/playground.js'), get('/graphql/playground/playground.css')]);

      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('cache-control')).toBe('no-cache');
      expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await css.text()).toContain('.graphiql-container');

      // An explicit Cache-Control, as browsers send on reload, stops fetch from adding "no-cache",
      // which would make the server skip the ETag comparison.
      const revalidated = await get('/graphql/playground/playground.js', {
        'If-None-Match': js.headers.get('etag') ?? '',
        'Cache-Control': 'max-age=0',
      });
      expect(revalidated.status).toBe(304);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'serves GraphiQL without any CDN reference',
    async () => {
      const [html, js, css] = await Promise.all(
        [get('/graphql', { Accept: BROWSER_ACCEPT }), get('/graphql/playground/playground.js'), get('/graphql/playground/playground.css')].map(
          async (response) => (await response).text(),
        ),
      );

      for (const text of [html, js, css]) {
        for (const host of EXTERNAL_HOSTS) expect(text).not.toContain(host);
        expect(text).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
        expect(text).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
      }
      expect(css).not.toMatch(/@import/i);
      // Fonts and icons must be inlined: every url() in the stylesheet is a data: URL.
      const cssUrls = css.match(/url\(\s*["']?[^"')\s]*/gi) ?? [];
      expect(cssUrls.length).toBeGreaterThan(0);
      for (const url of cssUrls) expect(url).toMatch(/^url\(\s*["']?data:/i);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'builds the bundle lazily and only once for concurrent first requests',
    async () => {
      const fresh = await startApp(playgroundRouter());
      try {
        jest.mocked(build).mockClear();
        await fetch(`${fresh.baseUrl}/graphql`, { headers: { Accept: BROWSER_ACCEPT } });
        expect(build).not.toHaveBeenCalled();

        const responses = await Promise.all(
          ['playground.js', 'playground.css', 'playground.js'].map((asset) => fetch(`${fresh.baseUrl}/graphql/playground/${asset}`)),
        );
        expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
        expect(build).toHaveBeenCalledTimes(1);
      } finally {
        await fresh.close();
      }
    },
    BUILD_TIMEOUT_MS,
  );
});
