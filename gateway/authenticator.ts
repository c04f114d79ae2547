import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';
import { isWellFormedApiKey } from './api-key';
import type { ApiKeysRepo } from './api-keys.repo';

/** Where a caller may put its key: HTTP headers, or graphql-ws connectionParams. */
export function extractApiKey(source: { authorization?: unknown; 'x-api-key'?: unknown; apiKey?: unknown; Authorization?: unknown }): string | null {
  const bearer = [source.authorization, source.Authorization].find((value): value is string => typeof value === 'string');
  if (bearer) {
    const match = /^Bearer\s+(\S+)$/i.exec(bearer.trim());
    return match ? match[1]! : null;
  }
  const direct = [source['x-api-key'], source.apiKey].find((value): value is string => typeof value === 'string');
  return direct?.trim() || null;
}

interface CachedIdentity {
  identity: Identity | null;
  expiresAtMs: number;
}

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Verifies API keys against the database. Answers are cached for a short time so a busy
 * client costs one lookup per cache period, while a revocation still bites within it.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedIdentity>();
  private readonly lastTouchMs = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepo,
    private readonly cacheTtlMs: number,
    private readonly log: Logger,
  ) {}

  async identify(key: string | null): Promise<Identity | null> {
    if (!key || !isWellFormedApiKey(key)) return null;
    const nowMs = Date.now();
    const cached = this.cache.get(key);
    let identity: Identity | null;
    if (cached && cached.expiresAtMs > nowMs) {
      identity = cached.identity;
    } else {
      identity = await this.keys.identify(key);
      // Bounded: a flood of random well-formed keys must not grow the cache without limit.
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { identity, expiresAtMs: nowMs + this.cacheTtlMs });
    }
    if (identity) this.touch(identity.keyId, nowMs);
    return identity;
  }

  /** Which of these keys are still usable: open sockets are rechecked with this. */
  activeKeyIds(keyIds: readonly string[]): Promise<Set<string>> {
    return this.keys.activeOf(keyIds);
  }

  private touch(keyId: string, nowMs: number): void {
    if (nowMs - (this.lastTouchMs.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouchMs.set(keyId, nowMs);
    this.keys.touch(keyId).catch((err: unknown) => this.log.warn({ err }, 'could not record key use'));
  }
}
