import {type Static} from '@sinclair/typebox'

import {Arr, Bool, NonNegInt, Obj, Opt, Str, StringEnum} from '../schema-helpers.js'
import {defineSection} from '../section-spec.js'

/** The container runtimes looked for: their command and the daemon socket each listens on. */
export const CONTAINER_RUNTIMES = [
  {name: 'docker', socket: '/var/run/docker.sock'},
  {name: 'podman', socket: '/run/podman/podman.sock'},
  {name: 'containerd', socket: '/run/containerd/containerd.sock'},
  {name: 'nerdctl', socket: '/run/containerd/containerd.sock'},
  {name: 'ctr', socket: '/run/containerd/containerd.sock'},
] as const
/** The engines whose containers are listed (same CLI: ps, inspect, images). */
export const CONTAINER_ENGINES = ['docker', 'podman'] as const
/** At most this many containers are inspected (one `inspect` call), and this many images listed. */
export const MAX_CONTAINERS = 100
export const MAX_IMAGES = 500
/** A mount of one of these (host side or container side) gives the container the engine's API: control of the host. */
export const ENGINE_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock', '/run/podman/podman.sock', '/var/run/podman/podman.sock', '/run/containerd/containerd.sock'] as const
/** Host folders that hold those sockets: mounting one mounts the socket. */
export const ENGINE_SOCKET_FOLDERS = ['/var/run', '/run', '/run/podman', '/run/containerd', '/var/run/docker'] as const

const Container = Obj({
  /** The container's name, without docker's leading slash. */
  name: Str(),
  /** The image as the container was started from it (repository:tag or an id). */
  image: Str(),
  /** When the container was created (ISO 8601). */
  created: Opt(Str()),
  /** running, paused, restarting… */
  state: Opt(Str()),
  privileged: Bool(),
  /** HostConfig.NetworkMode is host: the container shares the host's network stack. */
  hostNetwork: Bool(),
  /** Its mounts (source:destination) of an engine's socket, either side, or of the host folder holding one. */
  engineSocketMounts: Arr(Str()),
  /** Every mount as source:destination (volumes by name). */
  mounts: Arr(Str()),
})

const Image = Obj({
  /** repository:tag, or the id where it has none. */
  name: Str(),
  id: Str(),
  /** When the image was built (ISO 8601), as the engine reports it. */
  created: Opt(Str()),
})

const Engine = Obj({
  name: StringEnum(CONTAINER_ENGINES),
  /**
   * answered: the engine listed its containers; no-daemon: its socket is absent or the daemon does not answer;
   * needs-root: the socket (or, for podman, the system's containers) is not reachable by this user.
   */
  state: StringEnum(['answered', 'no-daemon', 'needs-root'] as const),
  /** The daemon's answer when it did not list (its first error line). */
  reason: Opt(Str()),
  containers: Opt(Arr(Container)),
  images: Opt(Arr(Image)),
  /** The engine has more containers than MAX_CONTAINERS: the rest were not inspected. */
  truncated: Opt(Bool()),
})

export const ContainersSchema = Obj({
  /** Runtime commands found on the PATH, with where. */
  runtimes: Arr(Obj({name: Str(), path: Str()})),
  /** Runtime sockets that exist, and whether this user may use them. */
  sockets: Arr(Obj({path: Str(), usable: Bool()})),
  /** Per engine whose command exists: what it said. */
  engines: Arr(Engine),
  /** Containers (running or stopped) of the engines, known when every engine present answered or runs no daemon. */
  containers: Opt(Arr(Container)),
  /** Images of every engine that answered. */
  images: Opt(Arr(Image)),
  /** How many of them are running. */
  running: Opt(NonNegInt()),
})
export type ContainersData = Static<typeof ContainersSchema>
export type ContainerData = Static<typeof Container>
export type ImageData = Static<typeof Image>
export type EngineData = Static<typeof Engine>

export const containersSection = defineSection({
  id: 'containers',
  title: 'Containers',
  version: 1,
  schema: ContainersSchema,
  upgrades: [],
})
