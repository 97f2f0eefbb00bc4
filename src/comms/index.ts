/**
 * Comms (`mabeam/comms`): topics (pub/sub) and broadcast to a registry selection, never blocked
 * by a slow receiver.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Comms } from "mabeam/comms"
 *
 * const program = Effect.gen(function*() {
 *   const comms = yield* Comms
 *   yield* comms.subscribe("prices", listener)        // for the current scope
 *   yield* comms.publish("prices", Price.make({ value: 42 }))
 *   yield* comms.broadcast({ capabilities: "bidder" }, Price.make({ value: 42 }))
 * })   // provide Comms.layer over Mabeam.layer()
 * ```
 *
 * @since 0.1.0
 */
export { Comms, type Delivery, make, Topic } from "./Comms.ts"
