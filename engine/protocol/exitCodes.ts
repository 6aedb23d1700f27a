/** Process exit codes of the engine; documented for scripts that call it directly. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  invalidRequest: 2,
  cancelled: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
