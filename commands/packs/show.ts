import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../src/cli/base-command.js'
import {ConfigError} from '../../src/config/config-error.js'
import {packFile} from '../../src/engine/checks/builtin-packs.js'
import {loadPack, type Check, type Pack} from '../../src/engine/checks/pack.js'
import {cisText} from '../../src/engine/checks/reference-text.js'
import {langFlag} from '../../src/cli/lang.js'

export default class PacksShow extends BaseCommand {
  static override summary = 'Show the checks of a pack: severity, id, TCVN 11930 group, security level, title and CIS recommendations; fleet checks after.'
  static override examples = ['<%= config.bin %> packs show linux-server', '<%= config.bin %> packs show ./our-rules.yaml --lang vi']
  static override args = {pack: Args.string({required: true, description: 'a built-in pack name or a pack file'})}
  static override flags = {lang: langFlag('Language of the titles.')}

  async run(): Promise<Pack> {
    const {args, flags} = await this.parse(PacksShow)
    let pack: Pack
    try {
      pack = loadPack(packFile(args.pack))
    } catch (error) {
      if (error instanceof ConfigError) this.usageError(error.format())
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.usageError(`no pack '${args.pack}'`, "run 'hatang packs list'")
      throw error
    }
    const lang = flags.lang as 'vi' | 'en'
    if (!this.jsonEnabled()) {
      this.log(`${pack.pack} ${pack.version} — ${pack.title[lang]}`)
      const line = (c: {severity: string; id: string; title: {vi: string; en: string}; references?: Check['references']}) => {
        const r = c.references
        this.log(`  ${c.severity.padEnd(8)} ${c.id.padEnd(32)} ${(r?.tcvn?.group ?? '-').padEnd(11)} ${String(r?.level?.level ?? '-').padEnd(5)} ${c.title[lang]}`)
        if (r?.cis?.length) this.log(`  ${''.padEnd(8)} ${''.padEnd(32)} ${r.cis.map(cisText).join('; ')}`)
      }
      const columns = 'severity, id, TCVN 11930 group, lowest security level, title; then the CIS recommendations'
      if (pack.checks.length > 0) this.log(`${pack.checks.length} checks on each host (${columns}):`)
      for (const c of pack.checks) line(c)
      if (pack.fleet?.length) this.log(`${pack.fleet.length} fleet checks, across the hosts of a group, a role or the whole run:`)
      for (const c of pack.fleet ?? []) line(c)
    }
    return pack
  }
}
