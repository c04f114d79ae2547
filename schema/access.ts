import type { Role } from './identity';

/**
 * The hub's access model: what an API key may do is a set of scopes, one per domain and verb.
 * Each role has a ceiling (its default set); a key may be narrowed below it, never widened.
 * Every GraphQL field declares the scope it needs (type-graphql's @Authorized), and the
 * subgraphs' row-level rules (SQL) decide which rows a scope reaches.
 */
export const SCOPES = [
  'metering:read',
  'metering:aggregate',
  'metering:write',
  'grid:read',
  'grid:operate',
  'tariffs:read',
  'tariffs:write',
  'flex:read',
  'flex:trade',
  'flex:operate',
  'hems:read',
  'hems:control',
  'hems:report',
  'events:read',
  'audit:read',
  'consent:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Old names still accepted on stored and new keys, read as the scope they stand for. */
export const SCOPE_ALIASES: Readonly<Record<string, Scope>> = {
  'aggregates:read': 'metering:aggregate',
};

/**
 * Each role's ceiling, which is also what a key of that role gets when created without scopes.
 * The DSO neither trades on its own market nor steers customers' devices (neutrality); a
 * customer's key reaches only its own metering point; stakeholders read aggregates.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  dso: ['metering:read', 'metering:aggregate', 'metering:write', 'grid:read', 'grid:operate', 'tariffs:read', 'tariffs:write', 'flex:read', 'flex:operate', 'hems:read', 'events:read', 'audit:read', 'consent:manage'],
  retailer: ['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'],
  aggregator: ['metering:read', 'metering:aggregate', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'],
  // events:read: the critical-peak events of its scheme; mayReceive gives a customer only events addressed to it.
  customer: ['metering:read', 'tariffs:read', 'hems:read', 'events:read', 'consent:manage'],
  regulator: ['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'],
  tso: ['metering:aggregate', 'grid:read', 'flex:read', 'events:read'],
  researcher: ['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'hems:read', 'events:read'],
  developer: ['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'],
  // A HEMS's own key, bound to it: it reports its telemetry and its commands' outcomes, and reads nothing.
  hems: ['hems:report'],
};

/** What a customer can let another party read about its metering point. */
export const CONSENT_SCOPES = ['metering:read', 'tariffs:read', 'hems:read'] as const satisfies readonly Scope[];
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
/** Roles that read individual metering points only under a customer's consent. */
export const CONSENT_ROLES = ['aggregator', 'researcher'] as const satisfies readonly Role[];
/**
 * A retailer reads its customers' points by their supply contracts, but their HEMS only when the
 * customer shares it: a hems:read consent to the retailer, in force while the contract is.
 */
export const HEMS_SHARING_SCOPES = ['hems:read'] as const satisfies readonly ConsentScope[];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isConsentScope(value: string): value is ConsentScope {
  return (CONSENT_SCOPES as readonly string[]).includes(value);
}

/** A scope name as the hub reads it: aliases resolved; null when it names no scope. */
export function canonicalScope(value: string): Scope | null {
  const scope = SCOPE_ALIASES[value] ?? value;
  return isScope(scope) ? scope : null;
}

/**
 * The scopes a key really has: its stored scopes, aliases resolved, cut to its role's ceiling.
 * Unknown names are ignored, so an edited row can never grant more than the role allows.
 */
export function effectiveScopes(role: Role, stored: readonly string[]): Scope[] {
  const ceiling = new Set(ROLE_SCOPES[role]);
  const scopes = new Set<Scope>();
  for (const name of stored) {
    const scope = canonicalScope(name);
    if (scope && ceiling.has(scope)) scopes.add(scope);
  }
  return SCOPES.filter((scope) => scopes.has(scope));
}

/**
 * The scopes to store for a new key: the role's default set when none are asked for, else the
 * asked ones (aliases resolved), or the reasons they cannot be granted.
 */
export function scopesForNewKey(role: Role, requested: readonly string[] | undefined): { scopes: Scope[] } | { problems: string[] } {
  if (requested === undefined) return { scopes: [...ROLE_SCOPES[role]] };
  const problems: string[] = [];
  const scopes = new Set<Scope>();
  for (const name of requested) {
    const scope = canonicalScope(name);
    if (!scope) problems.push(`unknown scope "${name}" (known: ${SCOPES.join(', ')})`);
    else if (!ROLE_SCOPES[role].includes(scope)) problems.push(`a ${role} key cannot have ${scope} (a ${role} may have: ${ROLE_SCOPES[role].join(', ') || 'none'})`);
    else scopes.add(scope);
  }
  return problems.length > 0 ? { problems } : { scopes: SCOPES.filter((scope) => scopes.has(scope)) };
}

/** The party behind a request, as far as access decisions go. */
export interface AccessSubject {
  role: Role;
  scopes: readonly string[];
}

/** Whether the key holds `scope`; its scopes are already cut to the role's ceiling (effectiveScopes). */
export function hasScope(subject: Pick<AccessSubject, 'scopes'>, scope: Scope): boolean {
  return subject.scopes.includes(scope);
}
