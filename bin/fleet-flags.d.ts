/** The V8 flags of the child Node a fleet command runs in, or undefined when it runs in this process (fleet-flags.js). */
export function fleetChildFlags(args: readonly string[], execArgv: readonly string[], nodeOptions?: string): string[] | undefined
