import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {packageDir} from '../model/package-root.js'
import {readYaml, type ParsedYaml} from './read-yaml.js'
import type {YamlPositions} from './yaml-positions.js'

/** The package's folders whose YAML files the build also writes as JSON: the built-in packs, their data, the report's reasons. */
export const SHIPPED_FOLDERS = ['checks', 'templates'] as const

/** Where, under the package root, the build writes them: `checks/linux-server.yaml` → `dist/shipped-yaml/checks/linux-server.yaml.json`. */
export const SHIPPED_YAML_DIR = path.join('dist', 'shipped-yaml')

/** One shipped YAML file as the build read it: the SHA-256 of its text, and the data it holds. */
export interface ShippedYaml {
  sha256: string
  data: unknown
}

export const textDigest = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * A YAML file the package ships (a built-in pack, a data set of checks/data, a reason file), read as readYaml reads it;
 * from the JSON the build wrote of it (scripts/build-shipped-yaml.ts) when that copy was made from this very text (its
 * SHA-256). The yaml library takes ~0.2 s to parse the built-in packs and their data once its code is compiled, and
 * audit, check and report read them at every start (loading the built-in packs: 0.59 → 0.08 s of CPU); JSON.parse of
 * the same takes ~2 ms. The positions are only needed to say where a problem is: the
 * text is parsed then, on the first question. A file changed since the build, or anywhere else, is parsed as before.
 */
export function readShippedYaml(text: string, file: string): ParsedYaml {
  const data = builtCopy(text, file)
  if (data === undefined) return readYaml(text, file)
  let parsed: ParsedYaml | undefined
  const positions: YamlPositions = {
    of: (segments, options) => (parsed ??= readYaml(text, file)).positions.of(segments, options),
    keyOf: (parent, key) => (parsed ??= readYaml(text, file)).positions.keyOf(parent, key),
  }
  return {data, errors: [], positions}
}

function builtCopy(text: string, file: string): unknown {
  const relative = path.relative(packageDir('.'), path.resolve(file))
  const [folder] = relative.split(path.sep)
  if (relative.startsWith('..') || path.isAbsolute(relative) || !(SHIPPED_FOLDERS as readonly string[]).includes(folder!)) return undefined
  let copy: ShippedYaml
  try {
    copy = JSON.parse(readFileSync(path.join(packageDir(SHIPPED_YAML_DIR), `${relative}.json`), 'utf8')) as ShippedYaml
  } catch {
    // not built (vitest before a build) or removed: the text is parsed
    return undefined
  }
  return copy.sha256 === textDigest(text) ? copy.data : undefined
}
