import { LRUCache } from 'lru-cache';
import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';
import { digestApiKey, isWellFormedApiKey } from './api-key';
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

const TOUCH_INTERVAL_MS = 60_000;
/** Keys in use by one gateway at a time: generous, and only real keys can take a place. */
const KNOWN_KEYS = 10_000;
/** Digests just found unknown: spares the database a repeat, and has its own places to flush. */
const UNKNOWN_KEYS = 10_000;

export interface AuthenticatorOptions {
  /** How long a verified key is trusted before it is looked up again (a revocation bites within it). */
  cacheTtlMs: number;
}

/**
 * Verifies API keys against the database by their SHA-256 digest (the key itself is never
 * kept). Known keys live in one LRU, unknown digests in another: a flood of random well-formed
 * keys can only evict other unknown digests, never push out the keys of real clients.
 */
export class Authenticator {
  private readonly known: LRUCache<string, Identity>;
  private readonly unknown: LRUCache<string, true>;
  private readonly lastTouchMs = new LRUCache<string, number>({ max: KNOWN_KEYS });
  /**
   * Lookups under way, by digest: the first requests of a key (a client opening many connections
   * at once) share one statement. Apart from both caches, so a flood of unknown keys in flight
   * takes no place among the known ones; each entry lives only as long as its statement.
   */
  private readonly lookups = new Map<string, Promise<Identity | null>>();

  constructor(
    private readonly keys: ApiKeysRepo,
    options: AuthenticatorOptions,
    private readonly log: Logger,
  ) {
    this.known = new LRUCache({ max: KNOWN_KEYS, ttl: options.cacheTtlMs });
    this.unknown = new LRUCache({ max: UNKNOWN_KEYS, ttl: options.cacheTtlMs });
  }

  async identify(key: string | null): Promise<Identity | null> {
    if (!key || !isWellFormedApiKey(key)) return null;
    const digest = digestApiKey(key);
    const identity = this.known.get(digest) ?? (this.unknown.has(digest) ? null : await this.lookUp(digest));
    if (identity) this.touch(identity.keyId);
    return identity;
  }

  private lookUp(digest: string): Promise<Identity | null> {
    let lookup = this.lookups.get(digest);
    if (!lookup) {
      lookup = this.keys
        .identifyDigest(digest)
        .then((identity) => {
          if (identity) this.known.set(digest, identity);
          else this.unknown.set(digest, true);
          return identity;
        })
        // A failure is not kept either: the next request asks the database again.
        .finally(() => this.lookups.delete(digest));
      this.lookups.set(digest, lookup);
    }
    return lookup;
  }

  /** Which of these keys are still usable: open sockets are rechecked with this. */
  activeKeyIds(keyIds: readonly string[]): Promise<Set<string>> {
    return this.keys.activeOf(keyIds);
  }

  private touch(keyId: string): void {
    const nowMs = Date.now();
    if (nowMs - (this.lastTouchMs.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouchMs.set(keyId, nowMs);
    this.keys.touch(keyId).catch((err: unknown) => this.log.warn({ err }, 'could not record key use'));
  }
}
