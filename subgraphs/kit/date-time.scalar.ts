import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { timeInRange } from './time-range';

function inRange(date: Date): Date {
  if (!timeInRange(date.getTime())) throw new GraphQLError('A DateTime must lie from 2000-01-01 to before 2100-01-01', { extensions: { code: 'BAD_USER_INPUT' } });
  return date;
}

/** graphql-scalars' RFC 3339 DateTime, refusing times outside the hub's span (kit/time-range.ts) as input. */
export const DateTimeScalar = new GraphQLScalarType<Date, Date | string>({
  ...DateTimeResolver.toConfig(),
  parseValue: (value: unknown) => inRange(DateTimeResolver.parseValue(value) as Date),
  parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => inRange(DateTimeResolver.parseLiteral(ast, variables) as Date),
});
