import { consentProblems, consentScopes, consentState } from './consent.rules';

const now = Date.parse('2026-12-01T10:00:00Z');
const day = 86_400_000;

describe('consentProblems', () => {
  it('accepts a year of load curves from today', () => {
    expect(consentProblems({ scopes: ['metering:read'], fromMs: now, toMs: now + 365 * day }, now)).toEqual([]);
  });

  it('accepts a consent that reaches back into past data, as long as it is in force now', () => {
    expect(consentProblems({ scopes: ['metering:read', 'hems:read'], fromMs: now - 365 * day, toMs: now + day }, now)).toEqual([]);
  });

  it('refuses no scopes, scopes a consent cannot give, and the scopes of other roles', () => {
    expect(consentProblems({ scopes: [], fromMs: now, toMs: now + day }, now)).toHaveLength(1);
    expect(consentProblems({ scopes: ['metering:write'], fromMs: now, toMs: now + day }, now)[0]).toMatch(/metering:write/);
    expect(consentProblems({ scopes: ['audit:read', 'metering:read'], fromMs: now, toMs: now + day }, now)).toHaveLength(1);
  });

  it('refuses an empty or reversed period, one that has already ended and one longer than ten years', () => {
    expect(consentProblems({ scopes: ['metering:read'], fromMs: now, toMs: now }, now)).toEqual(['to must be after from']);
    expect(consentProblems({ scopes: ['metering:read'], fromMs: now - 2 * day, toMs: now - day }, now)[0]).toMatch(/future/);
    expect(consentProblems({ scopes: ['metering:read'], fromMs: now, toMs: now + 3_661 * day }, now)[0]).toMatch(/ten years/);
    expect(consentProblems({ scopes: ['metering:read'], fromMs: Number.NaN, toMs: now }, now)[0]).toMatch(/valid times/);
  });
});

describe('consentScopes', () => {
  it('keeps each scope once, in the canonical order', () => {
    expect(consentScopes(['hems:read', 'metering:read', 'hems:read'])).toEqual(['metering:read', 'hems:read']);
  });
});

describe('consentState', () => {
  it('is GRANTED until its end, EXPIRED from then, and REVOKED once revoked whatever the time', () => {
    expect(consentState({ revokedAt: null, validTo: new Date(now + 1) }, now)).toBe('GRANTED');
    expect(consentState({ revokedAt: null, validTo: new Date(now) }, now)).toBe('EXPIRED');
    expect(consentState({ revokedAt: new Date(now - day), validTo: new Date(now + day) }, now)).toBe('REVOKED');
  });
});
