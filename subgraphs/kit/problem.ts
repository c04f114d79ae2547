import { BadUserInputError } from '../../schema/errors';

/** A problem with the input, naming the input field at fault: what a `.rules.ts` check returns. */
export interface Problem {
  field: string;
  message: string;
}

/** An instant as a problem's message names it. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** One BAD_USER_INPUT for every problem found (at least one), on the field of the first: the caller fixes them all in one go. */
export const badInput = (problems: readonly Problem[]): BadUserInputError =>
  new BadUserInputError(problems.map((problem) => problem.message).join('; '), { field: problems[0]!.field });
