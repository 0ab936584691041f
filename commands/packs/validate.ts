import {Args} from '@oclif/core'

import {BaseCommand} from '../../src/cli/base-command.js'
import {warnEolReview} from '../../src/cli/eol-review-warnings.js'
import {ExitCode} from '../../src/cli/exit-codes.js'
import {ConfigError} from '../../src/config/config-error.js'
import {loadPack, type Pack} from '../../src/engine/checks/pack.js'

export default class PacksValidate extends BaseCommand {
  static override summary = 'Check pack files against the pack schema: every problem with file:line:column.'
  static override examples = ['<%= config.bin %> packs validate our-rules.yaml']
  static override strict = false
  static override args = {files: Args.string({required: true, description: 'pack files'})}

  async run(): Promise<{file: string; valid: boolean; checks?: number; errors: string[]}[]> {
    const {argv} = await this.parse(PacksValidate)
    const packs: Pack[] = []
    const results = (argv as string[]).map((file) => {
      try {
        const pack = loadPack(file)
        packs.push(pack)
        return {file, valid: true, checks: pack.checks.length, errors: []}
      } catch (error) {
        if (error instanceof ConfigError) return {file, valid: false, errors: [error, ...error.more].map((e) => e.message)}
        return {file, valid: false, errors: [`${file}: ${(error as Error).message}`]}
      }
    })
    warnEolReview(packs)
    if (!this.jsonEnabled()) for (const r of results) this.log(r.valid ? `ok: ${r.file} (${r.checks} checks)` : r.errors.join('\n'))
    if (results.some((r) => !r.valid)) process.exitCode = ExitCode.Usage
    return results
  }
}
