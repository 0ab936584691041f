/**
 * Build step: writes each YAML file of the package's checks/ and templates/ folders (the built-in packs, their data
 * sets, the report's reason files) as JSON, with the SHA-256 of the text it was read from, into dist/shipped-yaml/:
 * src/config/shipped-yaml.ts reads that copy instead of parsing the YAML again while the file's text is the same.
 * A file that is not valid YAML, or whose data JSON cannot hold as it is, gets no copy: it is parsed at run time, and
 * its problems are told there as before.
 */
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {isDeepStrictEqual} from 'node:util'

import {readYaml} from '../src/config/read-yaml.js'
import {SHIPPED_FOLDERS, SHIPPED_YAML_DIR, textDigest, type ShippedYaml} from '../src/config/shipped-yaml.js'
import {packageDir} from '../src/model/package-root.js'

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : [],
  )
}

const root = packageDir('.')
const out = packageDir(SHIPPED_YAML_DIR)
rmSync(out, {recursive: true, force: true})
let written = 0
const left: string[] = []
for (const file of SHIPPED_FOLDERS.flatMap((folder) => yamlFiles(path.join(root, folder)))) {
  const text = readFileSync(file, 'utf8')
  const relative = path.relative(root, file)
  const yaml = readYaml(text, file)
  // .inf, .nan, -0 and the like would not come back from JSON as the yaml library made them
  if (yaml.errors.length > 0 || !isDeepStrictEqual(JSON.parse(JSON.stringify(yaml.data)) as unknown, yaml.data)) {
    left.push(relative)
    continue
  }
  const target = path.join(out, `${relative}.json`)
  mkdirSync(path.dirname(target), {recursive: true})
  writeFileSync(target, JSON.stringify({sha256: textDigest(text), data: yaml.data} satisfies ShippedYaml))
  written++
}
console.log(`wrote ${path.relative(process.cwd(), out)}/ (${written} YAML files as JSON${left.length ? `; parsed at run time: ${left.join(', ')}` : ''})`)
