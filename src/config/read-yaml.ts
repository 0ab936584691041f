import {isScalar, LineCounter, parseDocument, visit, type Document} from 'yaml'

import {ConfigError} from './config-error.js'
import {documentPositions, type YamlPositions} from './yaml-positions.js'

/** Parsed YAML with the position of every node: by readYaml, or by readPlainYaml (plain-yaml.ts). */
export interface ParsedYaml {
  positions: YamlPositions
  data: unknown
  errors: ConfigError[]
}

/**
 * Reads a YAML document (JSON is YAML too) with positions; YAML syntax errors become ConfigErrors at file:line:column.
 * Keys must be unique in each map: checked here with one set per map (the yaml library's own check compares each key
 * with all before it, which takes minutes on a map of 100,000 hosts).
 */
export function readYaml(text: string, file: string): ParsedYaml & {doc: Document; counter: LineCounter} {
  const counter = new LineCounter()
  const doc = parseDocument(text, {lineCounter: counter, prettyErrors: false, uniqueKeys: false})
  const syntax = (offset: number, message: string) => {
    const {line, col} = counter.linePos(offset)
    return new ConfigError(file, line, col, '', `is not valid YAML: ${message}`, 'fix the syntax at this position')
  }
  const errors = [...doc.errors.map((e) => syntax(e.pos[0], e.message.split('\n')[0]!)), ...duplicateKeys(doc).map((offset) => syntax(offset, 'Map keys must be unique'))].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  )
  let data: unknown
  if (errors.length === 0) {
    try {
      data = doc.toJS({maxAliasCount: 1000})
    } catch (error) {
      // an alias without its anchor, or an alias bomb: only found when the document is built
      errors.push(new ConfigError(file, 1, 1, '', `is not valid YAML: ${(error as Error).message.split('\n')[0]}`, 'define each &anchor before its *alias'))
    }
  }
  return {doc, counter, positions: documentPositions(doc, counter), data, errors}
}

/** Where a key repeats one before it in the same map (equal scalar values, as the yaml library compares them). */
function duplicateKeys(doc: Document): number[] {
  const out: number[] = []
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue
        const k = pair.key.value
        if (seen.has(k)) out.push(pair.key.range?.[0] ?? 0)
        else seen.add(k)
      }
    },
  })
  return out
}
