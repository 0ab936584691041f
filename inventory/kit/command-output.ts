/** What one command printed, as the batch runner recovered it. */
export interface CommandOutput {
  stdout: string
  stderr: string
  /** null when the command was killed or never finished. */
  exitCode: number | null
  timedOut: boolean
  durationMs: number
  /** False when the batch ended (timeout, dropped connection) before this command ran. */
  ran: boolean
}
