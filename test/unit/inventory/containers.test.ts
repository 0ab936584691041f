import {describe, expect, it} from 'vitest'

import {containersProbe, parseRuntimes} from '../../../inventory/containers.js'
import {engineDate, parseEngine, parseImages, parseInspect} from '../../../inventory/containers-engine.js'
import {ParseError} from '../../../inventory/kit/parse-error.js'
import {ContainersSchema} from '../../../src/model/sections/containers.js'
import {problemsOf} from '../../../src/model/validate.js'
import {contextOf, loadFixture, partOf, probeFixtures} from '../../support/fixtures.js'
import {joinParts} from '../../support/parts.js'
import {assertParserSurvivesGarbage} from '../../support/fuzz.js'

const fixtures = probeFixtures('containers')
const interpret = (platform: string) => {
  const f = loadFixture(platform, 'containers')
  return containersProbe.interpret(f.outputs, contextOf(f))
}

describe('containers probe on captured output', () => {
  it('has captures from several real systems, two with real podman containers', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6)
    expect(fixtures.map((f) => f.platform)).toEqual(expect.arrayContaining(['debian-12-podman-pass', 'debian-12-podman-fail']))
  })

  for (const f of fixtures) {
    it(`${f.platform}: a valid section`, () => {
      const r = containersProbe.interpret(f.outputs, contextOf(f))
      expect(problemsOf(ContainersSchema, r.data)).toEqual([])
      expect(r.data!.runtimes.map((x) => x.name)).toEqual(parseRuntimes(partOf(f, 'containers', 'runtimes').stdout).runtimes.map((x) => x.name))
    })
  }

  it('this machine: the docker command without a daemon runs no container, said so; no podman', () => {
    for (const p of ['debian-12-root', 'debian-12-user']) {
      const r = interpret(p)
      expect(r.status, p).toBe('ok')
      expect(r.data!.runtimes, p).toEqual([{name: 'docker', path: '/usr/local/bin/docker'}])
      expect(r.data!.engines, p).toEqual([{name: 'docker', state: 'no-daemon', reason: 'no socket /var/run/docker.sock'}])
      expect(r.data!.containers, p).toEqual([])
    }
  })

  it('a privileged container on the host network with a file bound at the docker socket, of an image of 2023', () => {
    const r = interpret('debian-12-podman-fail')
    expect(r.status).toBe('ok')
    expect(r.data!.containers).toHaveLength(1)
    const c = r.data!.containers![0]!
    expect(c).toMatchObject({name: 'hatang-privileged', image: 'localhost/hatang-old:fixture', state: 'created', privileged: true, hostNetwork: true})
    expect(c.engineSocketMounts).toEqual([expect.stringMatching(/^\/tmp\/hatang-capture-containers\.\w+\/docker\.sock:\/var\/run\/docker\.sock$/)])
    expect(r.data!.images!.find((i) => i.name === 'localhost/hatang-old:fixture')!.created).toBe('2023-01-01T00:00:00.000Z')
    expect(r.data!.running).toBe(0)
  })

  it('a plain container: bridge network, no mount, not privileged', () => {
    const c = interpret('debian-12-podman-pass').data!.containers!
    expect(c).toEqual([expect.objectContaining({name: 'hatang-plain', privileged: false, hostNetwork: false, engineSocketMounts: [], mounts: []})])
  })

  it('an engine the user cannot reach leaves the lists unknown, the section partial', () => {
    const f = loadFixture('debian-12-root', 'containers')
    const outputs = {containers: joinParts({runtimes: partOf(f, 'containers', 'runtimes'), docker: {...partOf(f, 'containers', 'docker'), stdout: '!needs-root\n'}, podman: partOf(f, 'containers', 'podman')})}
    const r = containersProbe.interpret(outputs, {uid: 1000, privileged: false, os: 'Linux'})
    expect(r).toMatchObject({status: 'partial', reason: 'docker: needs root'})
    expect(r.data!.containers).toBeUndefined()
  })
})

describe('engine output', () => {
  it('reads docker\'s dates and full inspect documents as the template\'s; keeps no environment', () => {
    expect(engineDate('2026-12-06T09:06:04.884466959Z')).toBe('2026-12-06T09:06:04.884Z')
    expect(engineDate('2023-01-01 07:00:00 +0700 +07')).toBe('2023-01-01T00:00:00.000Z')
    expect(engineDate('3 weeks ago')).toBeUndefined()
    const full = '[{"Id":"abc","Name":"/ci","Created":"2024-05-01T10:00:00Z","Config":{"Image":"runner:3","Env":["TOKEN=secret"]},"HostConfig":{"Privileged":false,"NetworkMode":"default"},"Mounts":[{"Type":"bind","Source":"/var/run","Destination":"/host/run"}]}]'
    const [c] = parseInspect(full)
    expect(c).toEqual({name: 'ci', image: 'runner:3', created: '2024-05-01T10:00:00.000Z', privileged: false, hostNetwork: false, engineSocketMounts: ['/var/run:/host/run'], mounts: ['/var/run:/host/run']})
    expect(JSON.stringify(c)).not.toContain('secret')
  })

  it('rejects what is not a listing; survives garbage', () => {
    expect(() => parseEngine('docker', 'CONTAINER ID IMAGE\n')).toThrow(ParseError)
    expect(() => parseInspect('{not json\n')).toThrow(ParseError)
    expect(() => parseImages('sha256:1 nginx latest\n')).toThrow(ParseError)
    const samples = fixtures.map((f) => partOf(f, 'containers', partOf(f, 'containers', 'podman').exitCode === 0 ? 'podman' : 'docker').stdout)
    assertParserSurvivesGarbage((t) => parseEngine('podman', t), samples)
  })
})
