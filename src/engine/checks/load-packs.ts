import {readFileSync} from 'node:fs'
import path from 'node:path'

import {ConfigError} from '../../config/config-error.js'
import {InputError} from '../../config/input-error.js'
import {readYaml} from '../../config/read-yaml.js'
import {builtinPackNames, packFile} from './builtin-packs.js'
import {loadPack, type Pack} from './pack.js'

/** Where a pack file says `pack: NAME` (line 1, column 1 when it cannot be found). */
function namePosition(file: string): {line: number; column: number} {
  try {
    return readYaml(readFileSync(file, 'utf8'), file).positions.of(['pack'])
  } catch {
    return {line: 1, column: 1}
  }
}

/**
 * The packs `--pack` names (built-in names or files; default every built-in pack), each validated. The one loader of
 * check, report and audit. Two packs with one name (the same pack named twice, or a pack file whose `pack:` is a
 * built-in's) would judge every check twice and clash in the store: a ConfigError (exit 2) at the second file's
 * `pack:` naming both files. A name that is neither a built-in pack nor a file is an InputError (exit 2).
 */
export function loadPacks(names?: readonly string[]): Pack[] {
  const packs: Pack[] = []
  const byName = new Map<string, {pack: Pack; as: string}>()
  for (const name of names ?? builtinPackNames()) {
    const file = packFile(name)
    let pack: Pack
    try {
      pack = loadPack(file)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') throw new InputError(`--pack ${name}: no built-in pack of that name, and no such file`, "'hatang packs list' shows the built-in packs")
      if (code === 'EISDIR' || code === 'EACCES') throw new InputError(`--pack ${name}: cannot read ${file} (${code})`, 'name a pack file (YAML)')
      throw error
    }
    const first = byName.get(pack.pack)
    if (first) {
      const {line, column} = namePosition(file)
      const same = path.resolve(first.pack.file) === path.resolve(file)
      const problem = same
        ? `the pack '${pack.pack}' is named twice (--pack ${first.as} and --pack ${name})`
        : `'${pack.pack}' is also the name of the pack ${first.pack.file} (--pack ${first.as})`
      throw new ConfigError(file, line, column, '/pack', problem, same ? 'name each pack once' : 'give one of the two packs another name')
    }
    byName.set(pack.pack, {pack, as: name})
    packs.push(pack)
  }
  return packs
}
