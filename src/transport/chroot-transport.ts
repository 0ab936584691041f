import {runProcess} from './local-transport.js'
import {POSIX_SH, type CommandTransport, type Dialect, type ExecOptions, type ExecResult} from './transport.js'

/** A Linux system installed in a folder (debootstrap), run with chroot(8). Used to capture fixtures of other releases. */
export class ChrootTransport implements CommandTransport {
  readonly kind = 'chroot' as const
  readonly platform = 'linux' as const
  readonly dialects: readonly Dialect[] = [POSIX_SH]
  readonly piped = true

  constructor(readonly target: string) {}

  exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    return runProcess({file: 'chroot', args: [this.target, '/bin/sh', '-c', command]}, options)
  }

  async close(): Promise<void> {}
}
