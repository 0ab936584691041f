/**
 * Records the real output of every probe command on the machine where it runs, into
 * test/fixtures/<name>/<probe>.json. Parser tests run on these captures; nobody types a fixture.
 *
 *   node dist/scripts/capture-fixtures.js --name debian-12-root
 *   node dist/scripts/capture-fixtures.js --name debian-12-user --user 65534
 *   node dist/scripts/capture-fixtures.js --name debian-11-chroot --chroot /var/tmp/hatang-chroots/bullseye
 *   node dist/scripts/capture-fixtures.js --name debian-12-rules --netns hatang-rules --probe firewall
 *     (this machine inside the named network namespace: its own interfaces and firewall rules, see
 *      scripts/capture-firewall-rules.sh; with --user as well for an ordinary user there)
 *   node dist/scripts/capture-fixtures.js --name debian-12-vm-efi --ssh root@127.0.0.1:2222 --identity KEY --known-hosts FILE
 *     (another machine over SSH, through the project's own SSH transport, its host key verified against FILE: the
 *      virtual machine of scripts/capture-vm.sh; --script names the script that made the machine's state, so that
 *      a stale fixture says to run it again)
 *   … --probe os --probe cpu   (only these probes)
 */
import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {parseArgs} from 'node:util'

import {probes} from '../inventory/index.js'
import {ContentStore} from '../src/collect/indexes/content-store.js'
import {runBatch} from '../src/collect/posix-sh/batch.js'
import {fetchContent} from '../src/collect/posix-sh/fetch-content.js'
import {expandGroups, probeBatchCommands} from '../src/collect/posix-sh/probe-batch.js'
import {probeCommands, type AnyProbe} from '../inventory/kit/probe.js'
import {ChrootTransport} from '../src/transport/chroot-transport.js'
import {KnownHostsBook} from '../src/transport/known-hosts-book.js'
import {LocalTransport} from '../src/transport/local-transport.js'
import {SshTransport} from '../src/transport/ssh-transport.js'
import type {CommandTransport} from '../src/transport/transport.js'

const USAGE =
  'usage: capture-fixtures --name PLATFORM-NAME [--chroot DIR | [--netns NAME] [--user UID] | --ssh USER@HOST:PORT --identity KEY --known-hosts FILE] [--script FILE] [--probe ID]...'
const {values} = parseArgs({
  options: {
    name: {type: 'string'},
    chroot: {type: 'string'},
    user: {type: 'string'},
    netns: {type: 'string'},
    ssh: {type: 'string'},
    identity: {type: 'string'},
    'known-hosts': {type: 'string'},
    script: {type: 'string'},
    probe: {type: 'string', multiple: true},
    out: {type: 'string', default: 'test/fixtures'},
  },
})
if (!values.name || !/^[a-z0-9.-]+$/.test(values.name)) {
  console.error(USAGE)
  process.exit(2)
}
const sshTarget = values.ssh ? /^([a-z_][\w.-]*)@([^\s:@]+):(\d{1,5})$/i.exec(values.ssh) : undefined
if (values.ssh && (!sshTarget || !values.identity || !values['known-hosts'] || values.chroot || values.netns || values.user)) {
  console.error(`--ssh wants USER@HOST:PORT, --identity and --known-hosts, and no --chroot, --netns or --user\n${USAGE}`)
  process.exit(2)
}

/** Over SSH: the host key verified against the given known_hosts file only (never recorded), as `hatang collect` does. */
async function sshTransport(user: string, host: string, port: number): Promise<SshTransport> {
  const hostKeys = await new KnownHostsBook({acceptNew: false}).policy([values['known-hosts']!])
  return SshTransport.connect({host, port, user, identityFiles: [values.identity!]}, {verifyHostKey: hostKeys.verify, hostKeyAlgorithms: hostKeys.algorithms})
}

const transport: CommandTransport = sshTarget
  ? await sshTransport(sshTarget[1]!, sshTarget[2]!, Number(sshTarget[3])).catch((error: Error) => {
      console.error(`capture-fixtures: ${values.ssh}: ${error.message}`)
      return process.exit(1)
    })
  : values.chroot
  ? new ChrootTransport(values.chroot)
  : new LocalTransport([
      ...(values.netns ? ['ip', 'netns', 'exec', values.netns] : []),
      ...(values.user ? ['setpriv', `--reuid=${values.user}`, `--regid=${values.user}`, '--clear-groups'] : []),
    ])

const selected = (probes as readonly AnyProbe[]).filter((p) => !values.probe || values.probe.includes(p.id))
const dir = path.join(values.out!, values.name)
mkdirSync(dir, {recursive: true})

function writeJson(file: string, value: unknown) {
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(tmp, file)
}

const header = await runBatch(
  transport,
  [{key: 'platform.release', command: 'cat /etc/os-release; uname -srm; id -u', timeoutMs: 5000, platforms: []}],
  10_000,
)
writeJson(path.join(dir, 'platform.json'), {
  name: values.name,
  capturedAt: new Date().toISOString(),
  transport: transport.kind,
  how: process.argv.slice(2).join(' '),
  ...(values.script ? {script: values.script} : {}),
  description: header.outputs.get('platform.release')?.stdout ?? '',
})

for (const probe of selected) {
  // its own commands and the shared ones it reads (the process table), recorded by the name it reads them under
  const sent = probeCommands(probe)
  // its own commands as a collection sends them (a grouped probe's as one command of parts, split back below), the
  // shared ones under the names it reads them by
  const commands = [
    ...probeBatchCommands(probe, 10_000),
    ...Object.entries(sent)
      .filter(([name]) => !(name in probe.commands))
      .map(([name, command]) => ({key: `${probe.id}.${name}`, command, timeoutMs: probe.timeoutMs ?? 10_000, platforms: probe.platforms})),
  ]
  const batch = await runBatch(transport, commands, 120_000)
  expandGroups([probe], batch)
  const outputs: Record<string, unknown> = {}
  for (const [name, command] of Object.entries(sent)) {
    const o = batch.outputs.get(`${probe.id}.${name}`)
    outputs[name] = o ? {command, ...o} : {command, skipped: true}
  }
  // the files the probe asks for by hash (apt's lists), read and checked as a collection does; the fixture keeps the part of their digest these outputs use
  let contents: Record<string, string> | undefined
  if (probe.contents) {
    const outs = Object.fromEntries(Object.entries(outputs).filter(([, o]) => !(o as {skipped?: boolean}).skipped)) as Parameters<typeof probe.contents.wanted>[0]
    const kind = probe.contents.kind
    const recording = {...kind, load: (digest: string) => digest}
    contents = {}
    for (const want of probe.contents.wanted(outs)) contents[want.sha256] = kind.sample(await new ContentStore(undefined).get(recording, want, () => fetchContent(transport, want)), outs)
  }
  writeJson(path.join(dir, `${probe.id}.json`), {probe: probe.id, uid: batch.header.uid ?? null, os: batch.header.os ?? null, outputs, ...(contents ? {contents} : {})})
  console.log(`${values.name}: ${probe.id} (${commands.length} commands)`)
}
if (transport instanceof SshTransport) await transport.close()
