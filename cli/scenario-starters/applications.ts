/**
 * The applications `proweb new` writes a starter for, and those it cannot: a list of names
 * only, so that the command's declaration (help, argument check) loads no starter and no mock.
 */

/** Applications of the mock back office that take an entry, each with a starter in this folder. */
export const STARTER_APPLICATIONS = ['progres', 'grh', 'ij', 'bdo'] as const;

export type StarterApplication = (typeof STARTER_APPLICATIONS)[number];

/** Applications the robot only reads: a scenario enters nothing there, so there is nothing to start from. */
const READ_ONLY_APPLICATIONS: Readonly<Record<string, string>> = {
  'ameli-pro': 'ameli pro is read-only: the robot reads requests and forfaits there and enters them in Progrès',
};

export const isStarterApplication = (id: string): id is StarterApplication => (STARTER_APPLICATIONS as readonly string[]).includes(id);

/** Why `id` has no starter, and the applications that have one: one sentence for an error message. */
export function noStarterReason(id: string): string {
  const why = READ_ONLY_APPLICATIONS[id] ?? `"${id}" is not an application of the mock back office that takes an entry`;
  return `${why}; proweb new writes a starter for ${STARTER_APPLICATIONS.join(', ')}`;
}
