import type { Redis } from 'ioredis';
import type { Logger } from '../subgraphs/kit/logger';

export interface SubscriptionSlots {
  /** Takes one of the key's slots for this subscription; false when the key holds the maximum already. */
  acquire(keyId: string, slotId: string): Promise<boolean>;
  release(keyId: string, slotId: string): Promise<void>;
  /** Releases this gateway's slots and stops its lease renewal. */
  close(): Promise<void>;
}

export interface SubscriptionSlotsOptions {
  /** Concurrent subscriptions a key may hold across all gateways sharing `redis`. */
  maxPerKey: number;
  /** How long a slot outlives the last renewal of the gateway holding it (its crash); renewed every third of it. */
  leaseMs: number;
  /** Shared by the gateway's replicas when given; else the cap is this gateway's alone. */
  redis: Redis | null;
  /** Tells this gateway's slots from the others' in Redis; unique per running gateway. */
  instanceId: string;
  /** Where Redis failures are reported. */
  log?: Logger;
}

/**
 * The slots one gateway holds, by key. It is the whole truth without Redis, and with Redis the
 * set of leases this gateway renews (and its per-gateway cap while Redis cannot be reached).
 */
class SlotTable {
  private readonly byKey = new Map<string, Set<string>>();

  /** Takes a slot if the key holds fewer than `max` here; a slot it holds already is taken again. */
  take(keyId: string, slotId: string, max: number): boolean {
    const slots = this.byKey.get(keyId) ?? new Set<string>();
    if (slots.has(slotId)) return true;
    if (slots.size >= max) return false;
    this.byKey.set(keyId, slots.add(slotId));
    return true;
  }

  add(keyId: string, slotId: string): void {
    this.byKey.set(keyId, (this.byKey.get(keyId) ?? new Set<string>()).add(slotId));
  }

  delete(keyId: string, slotId: string): void {
    const slots = this.byKey.get(keyId);
    slots?.delete(slotId);
    if (slots?.size === 0) this.byKey.delete(keyId);
  }

  entries(): IterableIterator<[string, ReadonlySet<string>]> {
    return this.byKey.entries();
  }

  clear(): void {
    this.byKey.clear();
  }
}

export function createSubscriptionSlots(options: SubscriptionSlotsOptions): SubscriptionSlots {
  if (!Number.isInteger(options.maxPerKey) || options.maxPerKey < 1) throw new Error(`maxPerKey must be a whole number of at least 1, not ${options.maxPerKey}`);
  if (!Number.isInteger(options.leaseMs) || options.leaseMs < 3) throw new Error(`leaseMs must be a whole number of at least 3, not ${options.leaseMs}`);
  return options.redis ? redisSlots(options.redis, options) : memorySlots(options.maxPerKey);
}

function memorySlots(maxPerKey: number): SubscriptionSlots {
  const table = new SlotTable();
  return {
    acquire: async (keyId, slotId) => table.take(keyId, slotId, maxPerKey),
    release: async (keyId, slotId) => table.delete(keyId, slotId),
    close: async () => table.clear(),
  };
}

/*
 * Leases are scored by Redis's own clock (TIME inside the scripts), not the gateways': every
 * gateway's leases are compared against one clock, so a replica whose clock runs ahead cannot
 * expire another's live slots early, nor one running behind keep a crashed gateway's slots late.
 * (Writes after TIME in a script need Redis 5 or later, whose scripts replicate their effects.)
 */
const NOW_MS = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/** KEYS[1] the key's set; ARGV: maxPerKey, leaseMs, member. 1 when the slot is taken (or was held already), else 0. */
const ACQUIRE = `${NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * KEYS[1] the key's set; ARGV: leaseMs, members. Adds a member that is missing (Redis lost it, or
 * its lease ran out while Redis was unreachable): the set counts the subscriptions that are open,
 * even when that is more than the cap, so that the key gets no new one until enough of them end.
 */
const RENEW = `${NOW_MS}
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0`;

const setKey = (keyId: string) => `mh-subs:${keyId}`;
const slotRef = (keyId: string, slotId: string) => JSON.stringify([keyId, slotId]);

function redisSlots(redis: Redis, { maxPerKey, leaseMs, instanceId, log }: SubscriptionSlotsOptions): SubscriptionSlots {
  const member = (slotId: string) => `${instanceId}:${slotId}`;
  const held = new SlotTable();
  /**
   * Acquisitions awaiting Redis, by slot. A release meanwhile removes the entry, so the slot is
   * not renewed afterwards; its ZREM, sent after the ACQUIRE on the same connection, runs after it.
   */
  const pending = new Map<string, { keyId: string; slotId: string }>();

  const removeAll = async (slots: Iterable<[string, Iterable<string>]>) => {
    const removals = [...slots].map(([keyId, slotIds]) => redis.zrem(setKey(keyId), ...[...slotIds].map(member)));
    for (const result of await Promise.allSettled(removals)) {
      // Not retried: a slot not removed stops being renewed and frees itself within leaseMs.
      if (result.status === 'rejected') log?.warn({ err: result.reason }, 'could not release subscription slots; their leases will expire');
    }
  };

  let renewing = false;
  const renew = async () => {
    // A renewal slower than the interval must not pile up behind itself.
    if (renewing) return;
    renewing = true;
    try {
      const renewals = [...held.entries()].map(([keyId, slotIds]) => redis.eval(RENEW, 1, setKey(keyId), leaseMs, ...[...slotIds].map(member)));
      const failed = (await Promise.allSettled(renewals)).find((result) => result.status === 'rejected');
      if (failed) log?.warn({ err: failed.reason }, 'could not renew subscription slot leases');
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), Math.floor(leaseMs / 3));
  timer.unref();

  return {
    async acquire(keyId, slotId) {
      const ref = slotRef(keyId, slotId);
      const claim = { keyId, slotId };
      pending.set(ref, claim);
      try {
        const taken = (await redis.eval(ACQUIRE, 1, setKey(keyId), maxPerKey, leaseMs, member(slotId))) === 1;
        if (taken && pending.get(ref) === claim) held.add(keyId, slotId);
        return taken;
      } catch (err) {
        // Released meanwhile, or being acquired again by a later call, which decides.
        if (pending.get(ref) !== claim) return false;
        // Without Redis the cap holds per gateway, as the request limits do; the renewal adds the
        // slot to Redis once it answers again.
        log?.warn({ err, keyId }, 'Redis unavailable; subscription slots capped per gateway');
        return held.take(keyId, slotId, maxPerKey);
      } finally {
        if (pending.get(ref) === claim) pending.delete(ref);
      }
    },

    async release(keyId, slotId) {
      pending.delete(slotRef(keyId, slotId));
      held.delete(keyId, slotId);
      await removeAll([[keyId, [slotId]]]);
    },

    async close() {
      clearInterval(timer);
      const slots: [string, string[]][] = [...held.entries()].map(([keyId, slotIds]) => [keyId, [...slotIds]]);
      for (const { keyId, slotId } of pending.values()) slots.push([keyId, [slotId]]);
      held.clear();
      pending.clear();
      await removeAll(slots);
    },
  };
}
