import {isIP} from 'node:net'

import type {HostHop} from './model.js'

/** A ProxyJump hop as written, before inventory aliases are resolved. */
export interface ParsedHop {
  host: string
  port?: number
  user?: string
}

/**
 * Parses an OpenSSH ProxyJump value: `[user@]host[:port][,…]`, `ssh://[user@]host[:port]`, IPv6 in brackets.
 * `none` means no jump (an empty list). Throws an Error saying what is wrong.
 */
export function parseProxyJump(value: string): ParsedHop[] {
  const text = value.trim()
  if (text.toLowerCase() === 'none') return []
  return text.split(',').map((raw) => parseHop(raw.trim()))
}

function parseHop(raw: string): ParsedHop {
  if (!raw) throw new Error('has an empty hop')
  let rest = raw.startsWith('ssh://') ? raw.slice('ssh://'.length).replace(/\/$/, '') : raw
  const hop: ParsedHop = {host: ''}
  const at = rest.lastIndexOf('@')
  if (at >= 0) {
    hop.user = rest.slice(0, at)
    rest = rest.slice(at + 1)
    if (!hop.user) throw new Error(`has an empty user in '${raw}'`)
  }
  let portText: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) throw new Error(`has an unclosed '[' in '${raw}'`)
    hop.host = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after) {
      if (!after.startsWith(':')) throw new Error(`has stray text after ']' in '${raw}'`)
      portText = after.slice(1)
    }
  } else {
    const colons = rest.split(':').length - 1
    // as OpenSSH: an IPv6 address is written in brackets (`[2001:db8::1]:22`); bare, ssh refuses it
    if (colons > 1) throw new Error(`has an IPv6 address without brackets in '${raw}' (write [address] or [address]:port)`)
    if (colons === 1) [hop.host, portText] = rest.split(':') as [string, string]
    else hop.host = rest
  }
  if (!hop.host || /\s/.test(hop.host)) throw new Error(`has no valid host in '${raw}'`)
  if (portText !== undefined) {
    const port = Number(portText)
    if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) throw new Error(`has an invalid port in '${raw}' (1-65535)`)
    hop.port = port
  }
  return hop
}

/** A host that could only be an alias: no dot, not an IP address, not localhost. */
export function looksLikeAlias(host: string): boolean {
  return !host.includes('.') && isIP(host) === 0 && host.toLowerCase() !== 'localhost'
}

/** OpenSSH's way of writing a chain back: `user@host:port,…`. */
export function formatProxyJump(hops: readonly HostHop[]): string {
  return hops
    .map((h) => `${h.user ? `${h.user}@` : ''}${h.host.includes(':') ? `[${h.host}]` : h.host}${h.port && h.port !== 22 ? `:${h.port}` : ''}`)
    .join(',')
}
