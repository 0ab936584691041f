import {readFileSync} from 'node:fs'

/** The tool's name and version, read once from package.json (two levels above src/model, three above dist/src/model). */
function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {name?: string; version?: string}
      if (pkg.name === 'hatang' && pkg.version) return pkg.version
    } catch {
      // try the next place
    }
  }
  return '0.0.0'
}

export const TOOL_NAME = 'hatang'
export const TOOL_VERSION = readVersion()
