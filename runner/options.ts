import { z } from 'zod';

/** Where one application lives for this caisse, and the robot account that logs in. */
export const applicationEndpointSchema = z.object({
  baseUrl: z.url().transform((u) => u.replace(/\/+$/, '')),
  username: z.string().min(1),
  password: z.string().min(1),
});
export type ApplicationEndpoint = z.output<typeof applicationEndpointSchema>;

/** Options of a {@link Robot}; parsed once with their defaults. */
export const robotOptionsSchema = z.object({
  /** Application id → endpoint and credentials. */
  applications: z.record(z.string(), applicationEndpointSchema),
  /** Browser contexts run side by side (one dossier each). @defaultValue 1 */
  concurrency: z.number().int().min(1).max(32).default(1),
  /** Show the browser window. @defaultValue false */
  headed: z.boolean().default(false),
  /** Screenshots and page HTML of failed dossiers. @defaultValue '.proweb/evidence' */
  evidenceDir: z.string().default('.proweb/evidence'),
  /** A page kept for hundreds of dossiers slows down: its context is renewed after this many. @defaultValue 100 */
  recycleAfter: z.number().int().min(1).default(100),
  /** Timeout of a step when neither the step nor its scenario says. @defaultValue 10000 */
  defaultTimeoutMs: z.number().int().positive().default(10_000),
});
export type RobotOptionsInput = z.input<typeof robotOptionsSchema>;
export type RobotOptions = z.output<typeof robotOptionsSchema>;
