import {ParseError} from './kit/parse-error.js'
import {lines, toInt} from './kit/probe-helpers.js'
import {ENGINE_SOCKET_FOLDERS, ENGINE_SOCKETS, MAX_CONTAINERS, MAX_IMAGES, type ContainerData, type EngineData, type ImageData} from '../src/model/sections/containers.js'

/**
 * The fields of `inspect` that are read, as a Go template printing one JSON line per container in the shape of
 * `docker inspect`'s own objects (so a full `docker inspect` document reads the same). Nothing else is asked for:
 * not the environment, command or labels, where secrets live.
 */
export const INSPECT_FORMAT =
  '{"Name":{{json .Name}},"Created":{{json .Created}},"Image":{{json .Image}},"Config":{"Image":{{json .Config.Image}}},' +
  '"State":{"Status":{{json .State.Status}}},"HostConfig":{"Privileged":{{json .HostConfig.Privileged}},"NetworkMode":{{json .HostConfig.NetworkMode}}},' +
  '"Mounts":{{json .Mounts}}}'
export const IMAGES_FORMAT = '{{.ID}}|{{.Repository}}|{{.Tag}}|{{.CreatedAt}}'

/**
 * The engine's listing, once it is known to be reachable: how many containers it has (running or not: a stopped
 * privileged container starts again with its engine or its restart policy), inspect lines, image lines. Part of the
 * containers command: it returns (kit/command-parts.ts).
 */
export function engineListCommand(engine: string): string {
  return [
    `if ! ids=$(${engine} ps -a -q --no-trunc 2>&1); then echo '!no-daemon'; printf '%s\\n' "$ids" | head -n 1 | head -c 300; echo; return 0; fi`,
    `echo "!containers $(printf '%s\\n' "$ids" | grep -c .)"`,
    `echo '!inspect'; set -- $(printf '%s\\n' "$ids" | head -n ${MAX_CONTAINERS}); [ $# -eq 0 ] || ${engine} inspect --format '${INSPECT_FORMAT}' "$@" 2>/dev/null | head -c 4194304`,
    `echo '!images'; ${engine} images --no-trunc --format '${IMAGES_FORMAT}' 2>/dev/null | head -n ${MAX_IMAGES}`,
    'return 0',
  ].join('\n')
}

/** An engine date (ISO 8601 with nanoseconds, or `2024-01-02 03:04:05 +0000 UTC`) as ISO 8601 UTC; undefined when not a date. */
export function engineDate(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined
  const t = text.trim()
  const spaced = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? ([+-])(\d{2})(\d{2})\b/.exec(t)
  const iso = spaced ? `${spaced[1]}T${spaced[2]}${spaced[3]}${spaced[4]}:${spaced[5]}` : t.replace(/(\.\d{3})\d+/, '$1')
  const ms = Date.parse(iso)
  return Number.isNaN(ms) || !/^\d{4}-/.test(t) ? undefined : new Date(ms).toISOString()
}

/** An engine's socket, or (for a mount's source) the host folder holding one. */
const isEngineSocket = (path: string, folders: boolean): boolean => {
  const p = path.replace(/\/+$/, '')
  return (ENGINE_SOCKETS as readonly string[]).includes(p) || (folders && (ENGINE_SOCKET_FOLDERS as readonly string[]).includes(p))
}
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const rec = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})

/** One container from an `inspect` object (the template's or docker's full one): only the fields the section keeps. */
export function containerFromInspect(o: Record<string, unknown>): ContainerData {
  const config = rec(o.Config)
  const host = rec(o.HostConfig)
  const mounts = (Array.isArray(o.Mounts) ? o.Mounts : []).map(rec)
  const sources = mounts.map((m) => str(m.Source) ?? str(m.Name) ?? '')
  const created = engineDate(o.Created)
  const state = str(rec(o.State).Status)
  return {
    name: (str(o.Name) ?? str(o.Id) ?? '?').replace(/^\//, ''),
    image: str(config.Image) ?? str(o.Image) ?? '?',
    ...(created ? {created} : {}),
    ...(state ? {state} : {}),
    privileged: host.Privileged === true,
    hostNetwork: host.NetworkMode === 'host',
    engineSocketMounts: mounts
      .map((m, i) => [sources[i]!, str(m.Destination) ?? ''] as const)
      .filter(([source, destination]) => isEngineSocket(source, true) || isEngineSocket(destination, false))
      .map(([source, destination]) => `${source}:${destination}`),
    mounts: mounts.map((m, i) => `${sources[i]}:${str(m.Destination) ?? '?'}`),
  }
}

/** `inspect` output: one JSON object a line (our template), or the JSON array `docker inspect` prints by default. */
export function parseInspect(text: string): ContainerData[] {
  const t = text.trim()
  if (t === '') return []
  try {
    if (t.startsWith('[')) return (JSON.parse(t) as unknown[]).map((o) => containerFromInspect(rec(o)))
    return lines(t).filter((l) => l.trim() !== '').map((l) => containerFromInspect(rec(JSON.parse(l))))
  } catch (e) {
    throw new ParseError(`inspect printed no JSON: ${(e as Error).message.slice(0, 100)}`)
  }
}

/** `images` lines: ID|REPOSITORY|TAG|CREATED AT. */
export function parseImages(text: string): ImageData[] {
  return lines(text)
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const f = l.split('|')
      if (f.length < 4) throw new ParseError(`not an image line: ${JSON.stringify(l.slice(0, 80))}`, i + 1)
      const [id, repo, tag] = f as [string, string, string]
      const created = engineDate(f.slice(3).join('|'))
      const named = repo !== '<none>' && repo !== ''
      return {name: named ? `${repo}:${tag === '<none>' ? '' : tag}`.replace(/:$/, '') : id, id, ...(created ? {created} : {})}
    })
}

/** Parses one engine's command: `!no-daemon` + its error, `!needs-root`, or `!containers N`, `!inspect` lines, `!images` lines. */
export function parseEngine(name: EngineData['name'], text: string): EngineData {
  const all = lines(text)
  const first = all[0]?.trim()
  if (first === '!needs-root') return {name, state: 'needs-root'}
  if (first === '!no-daemon') {
    const reason = all.slice(1).join(' ').trim()
    return {name, state: 'no-daemon', ...(reason ? {reason} : {})}
  }
  const running = /^!containers (\d+)$/.exec(first ?? '')
  const inspectAt = all.indexOf('!inspect')
  const imagesAt = all.indexOf('!images')
  if (!running || inspectAt < 0 || imagesAt < inspectAt) throw new ParseError(`not an engine listing: ${JSON.stringify((first ?? '').slice(0, 60))}`, 1)
  const containers = parseInspect(all.slice(inspectAt + 1, imagesAt).join('\n'))
  const count = toInt(running[1])!
  return {name, state: 'answered', containers, images: parseImages(all.slice(imagesAt + 1).join('\n')), ...(count > containers.length ? {truncated: true} : {})}
}
