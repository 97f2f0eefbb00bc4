/**
 * `SecureCoordination`: the coordination service in secure mode. `SecureCoordination.layer`
 * provides a `Coordination` that checks the verified caller (`SecureMode`) before every operation
 * that takes or changes shared state, IN PLACE of the raw service it is built over:
 *
 * - `lock(name)` needs `coordination:lock:<name>`;
 * - `elect(group)` needs `coordination:elect:<group>`;
 * - `propose(group, value)` needs `coordination:propose:<group>`;
 * - `counter(name).increment` needs `coordination:counter:<name>`;
 * - `participants.crash` / `participants.restart` need `coordination:admin`.
 *
 * `state` and `participants.list` are reads and are not checked. A name that cannot be part of a
 * capability (containing `:`, `*` or spaces) is refused as a malformed capability. Every denial is
 * a typed `Unauthorized` plus an audit record, and nothing was sent to a participant.
 *
 * @example
 * ```ts
 * const App = SecureCoordination.layer.pipe(Layer.provide(Coordination.layer), Layer.provideMerge(secureLayer(options)))
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { Coordination } from "../coordination/Coordination.ts"
import { SecureMode } from "./SecureMode.ts"

/**
 * Capability to take lock `name`.
 *
 * @since 0.1.0
 * @category utils
 */
export const lock = (name: string): string => `coordination:lock:${name}`
/**
 * Capability to stand in election `group`.
 *
 * @since 0.1.0
 * @category utils
 */
export const elect = (group: string): string => `coordination:elect:${group}`
/**
 * Capability to propose to consensus `group`.
 *
 * @since 0.1.0
 * @category utils
 */
export const propose = (group: string): string => `coordination:propose:${group}`
/**
 * Capability to increment counter `name`.
 *
 * @since 0.1.0
 * @category utils
 */
export const counter = (name: string): string => `coordination:counter:${name}`
/**
 * Capability to crash and restart participants.
 *
 * @since 0.1.0
 * @category utils
 */
export const admin = "coordination:admin"

/**
 * Builds the checked service over the raw `Coordination` and `SecureMode` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const raw = yield* Coordination
  const secure = yield* SecureMode
  return Coordination.of({
    lock: (name, options) => Effect.andThen(secure.require(lock(String(name))), raw.lock(name, options)),
    elect: (group, options) => Effect.andThen(secure.require(elect(String(group))), raw.elect(group, options)),
    propose: (group, value) => Effect.andThen(secure.require(propose(String(group))), raw.propose(group, value)),
    counter: (name) => {
      const handle = raw.counter(name)
      return {
        name: handle.name,
        increment: (by) => Effect.andThen(secure.require(counter(String(name))), handle.increment(by))
      }
    },
    participants: {
      list: raw.participants.list,
      crash: (name) => Effect.andThen(secure.require(admin), raw.participants.crash(name)),
      restart: (name) => Effect.andThen(secure.require(admin), raw.participants.restart(name))
    },
    state: raw.state
  })
})

/**
 * The checked coordination service, in place of the raw one it is built over.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Coordination, never, Coordination | SecureMode> = Layer.effect(Coordination, make)
