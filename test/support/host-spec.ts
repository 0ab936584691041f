import type {HostSpec} from '../../src/hosts/model.js'

/** A host as the hosts file would give it: on 127.0.0.1:22 over SSH, no keys named, no groups; `over` changes any of it. */
export const hostSpec = (name: string, over: Partial<HostSpec> = {}): HostSpec => ({
  name,
  address: '127.0.0.1',
  port: 22,
  identityFiles: [],
  knownHostsFiles: [],
  sudo: false,
  transport: 'ssh',
  groups: [],
  tags: [],
  source: {file: 'hosts.yaml', line: 1, column: 1},
  ...over,
})
