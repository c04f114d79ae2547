import { digestApiKey, displayPrefix, generateApiKey, isWellFormedApiKey } from './api-key';

describe('API keys', () => {
  it('generates keys of the documented format', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^mh_[0-9A-Za-z]{32}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('never generates the same key twice in a thousand draws', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateApiKey));
    expect(keys.size).toBe(1000);
  });

  it('rejects keys of the wrong shape before any lookup', () => {
    for (const bad of ['', 'mh_', 'mh_short', `xx_${'a'.repeat(32)}`, `mh_${'a'.repeat(31)}!`, `mh_${'a'.repeat(33)}`]) {
      expect(isWellFormedApiKey(bad)).toBe(false);
    }
  });

  it('stores a digest that does not contain the key and a short display prefix', () => {
    const key = generateApiKey();
    const digest = digestApiKey(key);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain(key.slice(3));
    expect(displayPrefix(key)).toBe(key.slice(0, 9));
  });
});
