import { containsNul } from './limits';

describe('containsNul', () => {
  it('finds the NUL character in a document, a nested variable or a variable name', () => {
    expect(containsNul({ query: '{ me { role } }', variables: { ids: ['a', 'b'] } })).toBe(false);
    expect(containsNul({ query: '{ me { role } }\u0000' })).toBe(true);
    expect(containsNul({ variables: { input: { rows: [{ meteringPointId: 'PT\u0000' }] } } })).toBe(true);
    expect(containsNul({ variables: { 'a\u0000': 1 } })).toBe(true);
  });

  it('passes numbers, booleans and nulls, and stops at a depth no JSON body of the hub needs', () => {
    expect(containsNul({ variables: { a: 1, b: true, c: null } })).toBe(false);
    let deep: unknown = '\u0000';
    for (let level = 0; level < 100; level += 1) deep = [deep];
    expect(containsNul(deep)).toBe(false);
  });
});
