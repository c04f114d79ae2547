import { extractApiKey } from './authenticator';

const key = `mh_${'a'.repeat(32)}`;

describe('extractApiKey', () => {
  it('reads a bearer token', () => {
    expect(extractApiKey({ authorization: `Bearer ${key}` })).toBe(key);
  });

  it('reads the x-api-key header', () => {
    expect(extractApiKey({ 'x-api-key': key })).toBe(key);
  });

  it('reads graphql-ws connection params in either spelling', () => {
    expect(extractApiKey({ apiKey: key })).toBe(key);
    expect(extractApiKey({ Authorization: `Bearer ${key}` })).toBe(key);
  });

  it('finds nothing in a malformed authorization header or an empty request', () => {
    expect(extractApiKey({ authorization: `Basic ${key}` })).toBeNull();
    expect(extractApiKey({})).toBeNull();
  });
});
