/** A store that cannot be used as asked (newer schema, not a hatang store, unknown run): exit 2 with `message — hint`. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** The exit code a command should end with: 2 (usage/configuration) unless said otherwise. */
    readonly exitCode: number = 2,
  ) {
    super(message)
    this.name = 'StoreError'
  }
}
