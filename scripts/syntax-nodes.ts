/**
 * The few shapes of an ESTree syntax tree (rolldown's parseAst) that the build's edits of its bundles read
 * (scripts/bundle-commands.ts), and that the bundle test checks them by (test/cli/bundled-commands.test.ts).
 */
export interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}
export const isNode = (x: unknown): x is Node => !!x && typeof x === 'object' && typeof (x as {type?: unknown}).type === 'string'
export const identifier = (x: unknown, name?: string): x is Node & {name: string} => isNode(x) && x.type === 'Identifier' && (name === undefined || x.name === name)

/** Every `import(…)` expression of a syntax tree (never a word in a string or a comment). */
export function importExpressions(node: unknown, found: Node[] = []): Node[] {
  if (Array.isArray(node)) for (const n of node) importExpressions(n, found)
  else if (node && typeof node === 'object') {
    if (isNode(node) && node.type === 'ImportExpression') found.push(node)
    for (const value of Object.values(node)) if (value && typeof value === 'object') importExpressions(value, found)
  }
  return found
}
