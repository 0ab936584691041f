import type {Client} from 'ssh2'

/** ssh2's handler of the server's global requests, as its client installs it (not in ssh2's types). */
type GlobalRequestHandler = (protocol: {requestSuccess: () => void}, name: string, wantReply: boolean, data: unknown) => void

/**
 * After login an OpenSSH server announces all its host keys (`hostkeys-00@openssh.com`), for clients that keep
 * known_hosts up to date (OpenSSH's UpdateHostKeys). ssh2 answers every announcement by asking the server to prove
 * each key, a signature by each (an RSA-3072 host key: ~1.5 ms of the target's CPU), and checks the proofs (~0.5 ms
 * of the controller's a host), for an event hatang never listens to: the key that matters was judged against
 * known_hosts at the key exchange. ssh2 has no option for it, so the handler its client installs for global
 * requests is wrapped to let this one announcement pass (it asks for no reply; one that did would get the success
 * ssh2 sends); every other request goes to ssh2 as before. Call it right after the client's connect() started,
 * before the socket has delivered anything. Returns whether it took: false for an ssh2 laid out otherwise, which
 * then asks for the proofs as it always did.
 */
export function skipHostKeyProofs(client: Client | null | undefined): boolean {
  const handlers = (client as unknown as {_protocol?: {_handlers?: {GLOBAL_REQUEST?: unknown}}} | null | undefined)?._protocol?._handlers
  const handle = handlers?.GLOBAL_REQUEST
  if (!handlers || typeof handle !== 'function') return false
  const forward = handle as GlobalRequestHandler
  const wrapped: GlobalRequestHandler = (protocol, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com') forward(protocol, name, wantReply, data)
    else if (wantReply) protocol.requestSuccess()
  }
  handlers.GLOBAL_REQUEST = wrapped
  return true
}
