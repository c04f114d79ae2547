import { IDENTITY_CLOCK_SKEW_MS, MAX_IDENTITY_TTL_MS, signIdentity, verifyIdentity, type Identity } from './identity';

const secret = 'a-test-secret-that-is-long-enough-for-hmac';
const identity: Identity = { keyId: 'key_a', organisationId: 'ret-a', role: 'retailer', scopes: ['metering:read'] };
const now = Date.parse('2026-12-01T10:00:00Z');

describe('the identity header', () => {
  it('carries the identity and the request id to the subgraph it names', () => {
    const header = signIdentity(secret, { identity, requestId: 'req-1' }, 'metering', 30_000, now);
    expect(verifyIdentity(secret, header, 'metering', now)).toEqual({ identity, requestId: 'req-1' });
  });

  it('opens no other subgraph than its audience', () => {
    const header = signIdentity(secret, { identity, requestId: 'req-1' }, 'grid', 30_000, now);
    expect(verifyIdentity(secret, header, 'metering', now)).toBeNull();
  });

  it('lives at most a minute, however long it was asked to', () => {
    const header = signIdentity(secret, { identity, requestId: 'req-1' }, 'metering', 3_600_000, now);
    expect(verifyIdentity(secret, header, 'metering', now + MAX_IDENTITY_TTL_MS - 1)).not.toBeNull();
    expect(verifyIdentity(secret, header, 'metering', now + MAX_IDENTITY_TTL_MS + 1)).toBeNull();
  });

  it("is taken from a gateway whose clock is a few seconds ahead, not from one that signs for longer than a minute", () => {
    const ahead = signIdentity(secret, { identity, requestId: 'req-1' }, 'metering', MAX_IDENTITY_TTL_MS, now + IDENTITY_CLOCK_SKEW_MS);
    expect(verifyIdentity(secret, ahead, 'metering', now)).not.toBeNull();
    const tooFarAhead = signIdentity(secret, { identity, requestId: 'req-1' }, 'metering', MAX_IDENTITY_TTL_MS, now + IDENTITY_CLOCK_SKEW_MS + 1);
    expect(verifyIdentity(secret, tooFarAhead, 'metering', now)).toBeNull();
  });

  it('is refused when tampered with, signed with another secret, or malformed', () => {
    const header = signIdentity(secret, { identity, requestId: 'req-1' }, 'metering', 30_000, now);
    const [version, body, mac] = header.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'dso' })).toString('base64url');
    expect(verifyIdentity(secret, `${version}.${widened}.${mac}`, 'metering', now)).toBeNull();
    expect(verifyIdentity('another-secret-that-is-also-long-enough', header, 'metering', now)).toBeNull();
    expect(verifyIdentity(secret, 'v1.garbage', 'metering', now)).toBeNull();
    expect(verifyIdentity(secret, undefined, 'metering', now)).toBeNull();
  });
});
