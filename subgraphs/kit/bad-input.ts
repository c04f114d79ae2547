import { BadUserInputError } from '../../schema/errors';
import type { Problem } from './problem';

/** One BAD_USER_INPUT for every problem found (at least one), on the field of the first: the caller fixes them all in one go. */
export const badInput = (problems: readonly Problem[]): BadUserInputError =>
  new BadUserInputError(problems.map((problem) => problem.message).join('; '), { field: problems[0]!.field });
