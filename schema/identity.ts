import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ROLES = ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer', 'hems'] as const;
export type Role = (typeof ROLES)[number];

/** The DSO's organisation id: fixed so that tools and checks can rely on it on any database. */
export const DSO_ORGANISATION_ID = 'dso';

/** Who is calling, as verified by the gateway from an API key. */
export interface Identity {
  keyId: string;
  /** The organisation; for a customer key, the metering point (CPE) it is bound to. */
  organisationId: string;
  role: Role;
  /** Effective scopes: the key's own, cut to its role's ceiling (schema/access.ts). */
  scopes: string[];
}

/** The longest an identity header may live: it only has to survive one hop, gateway to subgraph. */
export const MAX_IDENTITY_TTL_MS = 60_000;
/**
 * How far a subgraph host's clock may lag the gateway's: a header signed for the longest lifetime
 * by a gateway a little ahead must not look like one that lives too long (parts run on other hosts).
 */
export const IDENTITY_CLOCK_SKEW_MS = 5_000;

/** Header through which the gateway hands the verified identity to subgraphs. */
export const IDENTITY_HEADER = 'x-mh-identity';
export const REQUEST_ID_HEADER = 'x-request-id';

const payloadSchema = z.object({
  kid: z.string(),
  org: z.string(),
  role: z.enum(ROLES),
  scp: z.array(z.string()),
  rid: z.string(),
  aud: z.string(),
  exp: z.number().int(),
});

export interface SignedIdentity {
  identity: Identity;
  requestId: string;
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/**
 * `v1.<payload>.<mac>`: a short-lived, HMAC-SHA256 signed identity for one subgraph (the
 * audience) and one operation (the request id). Short-lived and addressed, so that a header
 * captured from inside the network can neither be replayed for long nor used on another subgraph.
 */
export function signIdentity(secret: string, signed: SignedIdentity, audience: string, ttlMs: number, nowMs = Date.now()): string {
  const { identity, requestId } = signed;
  const payload = {
    kid: identity.keyId,
    org: identity.organisationId,
    role: identity.role,
    scp: identity.scopes,
    rid: requestId,
    aud: audience,
    exp: nowMs + Math.min(ttlMs, MAX_IDENTITY_TTL_MS),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `v1.${body}.${mac(secret, body).toString('base64url')}`;
}

/** Returns the identity, or null when the header is missing, forged, malformed, expired or meant for another subgraph. */
export function verifyIdentity(secret: string, header: string | undefined, audience: string, nowMs = Date.now()): SignedIdentity | null {
  if (!header) return null;
  const parts = header.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return null;
  const [, body, signature] = parts as [string, string, string];
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    return null;
  }
  if (parsed.exp < nowMs || parsed.exp > nowMs + MAX_IDENTITY_TTL_MS + IDENTITY_CLOCK_SKEW_MS || parsed.aud !== audience) return null;
  return {
    identity: { keyId: parsed.kid, organisationId: parsed.org, role: parsed.role, scopes: parsed.scp },
    requestId: parsed.rid,
  };
}
