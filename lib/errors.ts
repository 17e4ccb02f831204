/** Start-up errors: a users file or a configuration that cannot be used. Request-time refusals are in refusals.ts. */

/** One problem found in a users file, an option or an environment variable. */
export interface Problem {
  /** Where: `file: entry 2 (user3), field "api_key"`, or the variable's name. */
  where: string;
  /** What is wrong and how to fix it, as a full sentence. */
  message: string;
  /** The index of the users-file entry, so a report reads from top to bottom. */
  entry?: number;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((problem) => `  - ${problem.where}: ${problem.message}`).join('\n');
}

/** A users file (or the `users` option) that cannot be used: every problem in it, not just the first. */
export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
  constructor(
    /** The file's path, or `users option`. */
    readonly file: string,
    problems: readonly Problem[],
    /** What the report is about, after "The": the users file by default. */
    subject = `users file ${file}`,
  ) {
    problems = [...problems].sort((a, b) => (a.entry ?? -1) - (b.entry ?? -1));
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`The ${subject} has ${count}:\n${formatProblems(problems)}`);
    this.problems = problems;
  }
  readonly problems: readonly Problem[];
}

/** Configuration (environment or options) that cannot be used. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly Problem[]) {
    super(`express-workspace-auth is misconfigured:\n${formatProblems(problems)}`);
  }
}
