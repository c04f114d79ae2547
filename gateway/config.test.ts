import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGatewayConfig, type GatewayConfig } from './config';

const required = { DATABASE_URL: 'postgres://127.0.0.1/hub', HUB_IDENTITY_SECRET: 'x'.repeat(32) };

/** Each gateway setting of the README's configuration table, and where it lands in the configuration. */
const SETTINGS: Record<string, (config: GatewayConfig) => unknown> = {
  PORT: (c) => c.port,
  IDENTITY_TTL_MS: (c) => c.identityTtlMs,
  KEY_CACHE_TTL_MS: (c) => c.keyCacheTtlMs,
  SHUTDOWN_GRACE_MS: (c) => c.shutdownGraceMs,
  WS_MAX_BUFFERED_BYTES: (c) => c.maxBufferedBytes,
  KEY_RECHECK_MS: (c) => c.keyRecheckMs,
  MAX_QUERY_DEPTH: (c) => c.limits.maxDepth,
  MAX_QUERY_ALIASES: (c) => c.limits.maxAliases,
  MAX_QUERY_TOKENS: (c) => c.limits.maxTokens,
  MAX_QUERY_DIRECTIVES: (c) => c.limits.maxDirectives,
  MAX_QUERY_COST: (c) => c.limits.maxCost,
  MAX_REQUEST_BYTES: (c) => c.maxRequestBytes,
  MAX_SUBSCRIPTIONS_PER_KEY: (c) => c.maxSubscriptionsPerKey,
  EVENT_QUERY_TIMEOUT_MS: (c) => c.eventQueryTimeoutMs,
  STATEMENT_TIMEOUT_MS: (c) => c.statementTimeoutMs,
};

/** The README's configuration table: variable name to its documented default, as written. */
function documentedDefaults(): Map<string, string> {
  const readme = readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
  return new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| `([^`]+)`/gm)].map((match) => [match[1]!, match[2]!]));
}

describe('parseGatewayConfig', () => {
  it('takes the defaults the README documents', () => {
    const documented = documentedDefaults();
    const config = parseGatewayConfig(required);
    for (const [variable, valueOf] of Object.entries(SETTINGS)) {
      expect({ variable, value: String(valueOf(config)) }).toEqual({ variable, value: documented.get(variable) });
    }
    expect(config.rateLimit).toEqual({ requests: 600, windowS: 60 });
    expect(config.redisUrl).toBeNull();
  });

  it('reads every limit of the access model from its variable', () => {
    const config = parseGatewayConfig({
      ...required,
      IDENTITY_TTL_MS: '60000',
      MAX_QUERY_DEPTH: '7',
      MAX_QUERY_ALIASES: '120',
      MAX_QUERY_TOKENS: '2000',
      MAX_QUERY_DIRECTIVES: '20',
      MAX_QUERY_COST: '5000',
      MAX_REQUEST_BYTES: '100000',
      RATE_LIMIT_REQUESTS: '30',
      RATE_LIMIT_WINDOW_S: '10',
      MAX_SUBSCRIPTIONS_PER_KEY: '3',
      REDIS_URL: 'redis://127.0.0.1:6379',
      EVENT_QUERY_TIMEOUT_MS: '800',
      STATEMENT_TIMEOUT_MS: '900',
    });
    expect(config).toMatchObject({
      identityTtlMs: 60_000,
      limits: { maxDepth: 7, maxAliases: 120, maxTokens: 2_000, maxDirectives: 20, maxCost: 5_000 },
      maxRequestBytes: 100_000,
      rateLimit: { requests: 30, windowS: 10 },
      maxSubscriptionsPerKey: 3,
      redisUrl: 'redis://127.0.0.1:6379',
      eventQueryTimeoutMs: 800,
      statementTimeoutMs: 900,
    });
  });

  it('refuses a limit out of its range, naming the variable', () => {
    for (const [variable, value] of [
      ['IDENTITY_TTL_MS', '60001'],
      ['HUB_IDENTITY_SECRET', 'short'],
      ['MAX_QUERY_DEPTH', '2'],
      ['MAX_QUERY_TOKENS', 'many'],
      ['RATE_LIMIT_REQUESTS', '0'],
      ['MAX_SUBSCRIPTIONS_PER_KEY', '-1'],
      ['MAX_REQUEST_BYTES', '1000'],
      ['REDIS_URL', 'localhost:6379'],
      ['STATEMENT_TIMEOUT_MS', '0'],
    ] as const) {
      expect(() => parseGatewayConfig({ ...required, [variable]: value })).toThrow(new RegExp(`${variable}: `));
    }
  });
});
