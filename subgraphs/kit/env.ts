import { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables with a zod shape whose keys are the variable names, so that a
 * bad setting fails at start with its own name in the message.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export const envPort = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const envLogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const envDurationMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const envUrl = z.string().url();
export const envSecret = z.string().min(32, 'must be at least 32 characters');
