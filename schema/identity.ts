import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ROLES = ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'] as const;
export type Role = (typeof ROLES)[number];

/** The DSO's organisation id: fixed so that tools and checks can rely on it on any database. */
export const DSO_ORGANISATION_ID = 'dso';

/** Who is calling, as verified by the gateway from an API key. */
export interface Identity {
  keyId: string;
  organisationId: string;
  role: Role;
  scopes: string[];
}

/** Header through which the gateway hands the verified identity to subgraphs. */
export const IDENTITY_HEADER = 'x-mh-identity';
export const REQUEST_ID_HEADER = 'x-request-id';

const payloadSchema = z.object({
  kid: z.string(),
  org: z.string(),
  role: z.enum(ROLES),
  scp: z.array(z.string()),
  rid: z.string(),
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
 * `v1.<payload>.<mac>`: a short-lived, HMAC-SHA256 signed identity. Short-lived so that a
 * header captured from inside the network cannot be replayed for long.
 */
export function signIdentity(secret: string, signed: SignedIdentity, ttlMs: number, nowMs = Date.now()): string {
  const { identity, requestId } = signed;
  const payload = {
    kid: identity.keyId,
    org: identity.organisationId,
    role: identity.role,
    scp: identity.scopes,
    rid: requestId,
    exp: nowMs + ttlMs,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `v1.${body}.${mac(secret, body).toString('base64url')}`;
}

/** Returns the identity, or null when the header is missing, forged, malformed or expired. */
export function verifyIdentity(secret: string, header: string | undefined, nowMs = Date.now()): SignedIdentity | null {
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
  if (parsed.exp < nowMs) return null;
  return {
    identity: { keyId: parsed.kid, organisationId: parsed.org, role: parsed.role, scopes: parsed.scp },
    requestId: parsed.rid,
  };
}
