/**
 * Virtual nodes over one `Transport`: multi-member protocols (Election, Raft) address peers by
 * node name with a fixed endpoint id, so to run a whole group in one process each member gets an
 * endpoint that *looks* like `{ node: member, id }` to its protocol while it is bound on the real
 * transport under a private id. Addresses outside the group pass through unchanged, so clients on
 * the real transport talk to members and get replies.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import type { Address, AddressInUse, Endpoint, Envelope, Transport } from "../../transport/index.ts"

/**
 * A group of virtual nodes running endpoint `service` on one transport, under the id prefix `prefix`.
 *
 * @since 0.1.0
 * @category models
 */
export interface VirtualGroup {
  readonly members: ReadonlyArray<string>
  /** The real address of a member's endpoint. */
  readonly real: (member: string) => Address
  /** Binds `member`'s virtual endpoint for the current scope. */
  readonly bind: (member: string) => Effect.Effect<Endpoint, AddressInUse, Scope.Scope>
}

/**
 * Makes the group `members` of endpoint `service` on `transport`, bound as `${prefix}/${member}`.
 *
 * @since 0.1.0
 * @category utils
 */
export const virtualGroup = (
  transport: Transport["Service"],
  prefix: string,
  service: string,
  members: ReadonlyArray<string>
): VirtualGroup => {
  const real = (member: string): Address => ({ node: transport.node, id: `${prefix}/${member}` })
  const byReal = new Map(members.map((m) => [real(m).id, m]))
  const resolve = (to: Address): Address => (members.includes(to.node) && to.id === service ? real(to.node) : to)
  const unresolve = (from: Address): Address => {
    const member = from.node === transport.node ? byReal.get(from.id) : undefined
    return member === undefined ? from : { node: member, id: service }
  }
  const bind = (member: string) =>
    Effect.map(transport.bind(real(member).id), (inner): Endpoint => {
      const address: Address = { node: member, id: service }
      return {
        address,
        receive: Effect.map(inner.receive, (batch) =>
          batch.map((e): Envelope => ({ from: unresolve(e.from), to: address, message: e.message }))
        ),
        send: (to, message) => inner.send(resolve(to), message)
      }
    })
  return { members, real, bind }
}
