/** Exit codes of every hatang command (documented in the README). */
export const ExitCode = {
  /** Everything worked; for check and audit: no finding at or above --fail-on. */
  Ok: 0,
  /** check/audit: a finding at or above --fail-on. */
  Findings: 1,
  /** Usage or configuration error: nothing was written. */
  Usage: 2,
  /** Some hosts could not be collected (the others were). */
  Unreachable: 3,
  /** Another run holds the lock, or the store stays busy (another hatang writing to it). */
  Locked: 4,
  /** The output could not be written (disk full, permissions); nothing partial was left behind. */
  Output: 5,
  /**
   * check/audit: a host was judged on too little evidence (checks judged ÷ checks applicable below --min-coverage):
   * "insufficient data", never compliant.
   */
  InsufficientData: 6,
  /**
   * audit --push: the run was stored and reported here but could not be pushed to the centre (a warning says why);
   * it replaces 0 and 1 only (any other code of the audit says more and stays). 'hatang push' sends it later.
   */
  PushFailed: 7,
  /** Interrupted (Ctrl-C): what was collected is kept. */
  Interrupted: 130,
  /** A bug in hatang. */
  Internal: 70,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** The name of an exit code in an error's JSON (`usage`, `locked`, `output`, `insufficient-data`…): its key above, in kebab case. */
export function exitCodeName(code: number): string {
  const key = Object.entries(ExitCode).find(([, v]) => v === code)?.[0]
  return key ? key.replace(/[A-Z]/g, (c, i: number) => `${i > 0 ? '-' : ''}${c.toLowerCase()}`) : `exit-${code}`
}
