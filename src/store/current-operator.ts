import os from 'node:os'

/** Who runs this process, for a run's operator: the user's name, else $USER, else null. */
export function currentOperator(): string | null {
  try {
    return os.userInfo().username
  } catch {
    return process.env.USER ?? null
  }
}
