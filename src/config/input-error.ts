/** Input the user named that cannot be read (snapshots, a pack that does not exist): exit 2 with `message — hint`. */
export class InputError extends Error {
  readonly exitCode = 2

  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'InputError'
  }
}
