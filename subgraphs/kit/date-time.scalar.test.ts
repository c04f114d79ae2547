import { Kind } from 'graphql';
import { DateTimeScalar } from './date-time.scalar';

describe('DateTimeScalar', () => {
  it('reads an RFC 3339 time of this century as a variable and as a literal', () => {
    expect(DateTimeScalar.parseValue('2026-11-26T10:00:00Z')).toEqual(new Date('2026-11-26T10:00:00Z'));
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2000-01-01T00:00:00Z' }, undefined)).toEqual(new Date('2000-01-01T00:00:00Z'));
  });

  it('refuses a time before 2000 or from 2100 on as the client\'s error', () => {
    for (const value of ['1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '0001-01-01T00:00:00Z']) {
      expect(() => DateTimeScalar.parseValue(value)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
      expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value }, undefined)).toThrow('2000-01-01');
    }
  });
});
