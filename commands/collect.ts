import {Flags} from '@oclif/core'

import {collectHost} from '../src/collect/collect-host.js'
import {nativeOptionOf} from '../src/collect/native/sections.js'
import {BaseCommand} from '../src/cli/base-command.js'
import {ExitCode} from '../src/cli/exit-codes.js'
import {fsProblem} from '../src/cli/fs-problem.js'
import {outputStyle} from '../src/cli/output-style.js'
import {lineProgress, silentProgress, taskProgress} from '../src/cli/progress.js'
import {writeFileAtomic} from '../src/files/write-atomic.js'
import type {Snapshot} from '../src/model/snapshot.js'
import {validateCollected} from '../src/model/validate.js'
import {renderCollectSummary} from '../src/report/collect-summary.js'
import {parseSectionFlags, sectionFlags} from '../src/cli/section-flags.js'
import {probes} from '../inventory/index.js'
import {LocalTransport} from '../src/transport/local-transport.js'

export default class Collect extends BaseCommand {
  static override summary = 'Take stock of this machine: hardware, OS, network, software, services, accounts and security state.'
  static override description =
    'Runs every probe on the local machine and prints a summary; systeminformation reads the hardware that no probe reads on this system (Windows), or all of it with --native. ' +
    'Sections that cannot be read say why (needs root, not installed, no DMI…). --sections or --skip choose what is collected ' +
    '(identity and os always are); a section left out is "skipped" and nothing is sent for it. Progress goes to stderr: tasks on a TTY, plain lines otherwise.'
  static override examples = [
    '<%= config.bin %> collect',
    '<%= config.bin %> collect --json > snapshot.json',
    '<%= config.bin %> collect -o /var/lib/hatang/$(hostname).json --quiet',
    '<%= config.bin %> collect --native',
    '<%= config.bin %> collect --skip updates,packages',
    '<%= config.bin %> collect --sections sshd,firewall,timeSync --json',
  ]
  static override flags = {
    output: Flags.string({char: 'o', summary: 'Also write the snapshot (JSON) to this file, atomically.', helpValue: 'FILE'}),
    native: Flags.boolean({allowNo: true, summary: 'Read the hardware with systeminformation (--no-native: never); by default only where no probe reads it (not on Linux).'}),
    timeout: Flags.integer({default: 10, min: 1, max: 3600, summary: 'Seconds each probe command may run.', helpValue: 'SECONDS'}),
    quiet: Flags.boolean({char: 'q', summary: 'No progress output.'}),
    ...sectionFlags,
  }

  async run(): Promise<Snapshot> {
    const {flags} = await this.parse(Collect)
    const selection = parseSectionFlags(flags)
    const style = this.style()
    const transport = new LocalTransport()
    const progress = flags.quiet
      ? silentProgress()
      : style.interactive
        ? await taskProgress(transport.target, probes.filter((p) => !selection?.skipped.includes(p.id)))
        : lineProgress(transport.target, outputStyle(process.stderr))
    const snapshot = await collectHost(transport, {
      ...nativeOptionOf(flags.native, probes),
      ...(selection ? {selection} : {}),
      commandTimeoutMs: flags.timeout * 1000,
      onProbeStart: (p) => progress.start(p),
      onProbeDone: (e) => progress.done(e),
    })
    await progress.finish()
    validateCollected(snapshot, 'the collected snapshot')
    if (flags.output) {
      try {
        await writeFileAtomic(flags.output, `${JSON.stringify(snapshot, null, 2)}\n`)
      } catch (error) {
        this.exitWith(ExitCode.Output, `cannot write ${flags.output}: ${fsProblem(error, flags.output)}`, 'choose a writable path with -o')
      }
    }
    if (!this.jsonEnabled()) this.log(renderCollectSummary(snapshot, style.color))
    return snapshot
  }
}
