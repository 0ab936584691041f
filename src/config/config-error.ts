/** `file:line:column /pointer text` — how every problem and warning about a file starts. */
export function atPosition(where: {file: string; line: number; column: number; path: string}, text: string): string {
  return `${where.file}:${where.line}:${where.column} ${where.path ? `${where.path} ` : ''}${text}`
}

/**
 * A problem in a configuration file (a hosts file, an imported inventory or ssh_config, a check pack, a data file,
 * waivers): what, where and what next. Without a hint of its own it says to run `hatang hosts validate`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  /** Further problems found in the same pass (validate lists them all). */
  more: ConfigError[] = []

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** JSON Pointer into the document, e.g. `/groups/web/hosts/web02/port` ('' for the whole file). */
    readonly path: string,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(atPosition({file, line, column, path}, problem))
  }

  /** `hosts.yaml:14:3 /groups/web/hosts/web02/port must be <= 65535 — run 'hatang hosts validate hosts.yaml'` */
  format(options: {validateHint?: boolean} = {}): string {
    const next = this.hint ?? (options.validateHint === false ? undefined : `run 'hatang hosts validate ${this.file}'`)
    return next ? `${this.message} — ${next}` : this.message
  }

  /** This error and the ones found with it. */
  all(): ConfigError[] {
    return [this, ...this.more]
  }

  /** Throws the first of `errors` carrying the rest; does nothing when there are none. */
  static throwIfAny(errors: ConfigError[]): void {
    const [first, ...rest] = errors
    if (!first) return
    first.more = rest
    throw first
  }

  toJSON(): {file: string; line: number; column: number; path: string; message: string; hint?: string} {
    return {file: this.file, line: this.line, column: this.column, path: this.path, message: this.problem, ...(this.hint ? {hint: this.hint} : {})}
  }
}
