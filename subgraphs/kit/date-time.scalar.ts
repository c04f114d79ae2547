import { GraphQLError, GraphQLScalarType, type ValueNode } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { TIME_RANGE_DAYS, timeInRange } from './time-range';

const OUT_OF_RANGE = `A DateTime must lie from ${TIME_RANGE_DAYS[0]} to before ${TIME_RANGE_DAYS[1]}`;

function inRange(date: Date): Date {
  if (!timeInRange(date.getTime())) throw new GraphQLError(OUT_OF_RANGE, { extensions: { code: 'BAD_USER_INPUT' } });
  return date;
}

/** graphql-scalars' RFC 3339 DateTime, refusing times outside the hub's span (kit/time-range.ts) as input. */
export const DateTimeScalar = new GraphQLScalarType<Date, Date | string>({
  ...DateTimeResolver.toConfig(),
  parseValue: (value: unknown) => inRange(DateTimeResolver.parseValue(value) as Date),
  parseLiteral: (ast: ValueNode, variables?: Record<string, unknown> | null) => inRange(DateTimeResolver.parseLiteral(ast, variables) as Date),
});
