/**
 * `SecureCluster`: the cluster's client entry points in secure mode. The refs callers get, from a
 * directory (`Agents.key`) or from a deployed kind's `client`, check the verified caller
 * (`SecureMode`) before every `tell` (`agent:tell:<id>`) and `ask` (`agent:ask:<id>`), the same
 * capabilities as local agents; a denial is a typed `Unauthorized` plus an audit record, and nothing
 * was sent. `counts` is a read and is not checked.
 *
 * - `SecureCluster.directory(key)` provides the checked directory `key` IN PLACE of the raw one
 *   it is built over (`Agents.local` or `Agents.cluster`), so callers of the composed app only
 *   reach checked refs.
 * - `SecureCluster.client(deployed)` is `deployed.client` with checked refs.
 *
 * What runners accept from each other over the network is the transport's concern: mutual TLS and
 * per-envelope sender checks (`SecureRunner`, `RpcTransport`).
 *
 * @example
 * ```ts
 * const Directory = SecureCluster.directory(Counters).pipe(Layer.provide(Agents.cluster(Counters, ClusterCounter)))
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import type { Sharding } from "effect/cluster"
import type * as Agents from "../cluster/Agents.ts"
import type { ClusterAgent } from "../cluster/ClusterAgent.ts"
import type { ClusterRef } from "../cluster/ClusterRef.ts"
import * as Capabilities from "./capabilities.ts"
import { SecureMode } from "./SecureMode.ts"

/**
 * `ref` (a directory ref or a `ClusterRef`) with `tell` and `ask` checked against the caller.
 *
 * @since 0.1.0
 * @category utils
 */
export const guardRef = <M, Ref extends Agents.Ref<M>>(ref: Ref, secure: SecureMode["Service"]): Ref => {
  const tell = Capabilities.tell(ref.id)
  const ask = Capabilities.ask(ref.id)
  return {
    ...ref,
    id: ref.id,
    kind: ref.kind,
    tell: (message: M) => Effect.andThen(secure.require(tell), ref.tell(message)),
    ask: (request, options) => Effect.andThen(secure.require(ask), ref.ask(request, options)),
    counts: ref.counts
  } satisfies Agents.Ref<M> as Ref
}

/**
 * The directory `key` with checked refs, in place of the raw directory it is built over.
 *
 * @since 0.1.0
 * @category layers
 */
export const directory = <M>(
  key: Agents.Key<M>
): Layer.Layer<Agents.Directory<M>, never, Agents.Directory<M> | SecureMode> =>
  Layer.effect(key)(
    Effect.gen(function* () {
      const raw = yield* key
      const secure = yield* SecureMode
      return { ref: (id: string) => Effect.map(raw.ref(id), (ref) => guardRef<M, Agents.Ref<M>>(ref, secure)) }
    })
  )

/**
 * `deployed.client` whose refs check the caller before every `tell` and `ask`.
 *
 * @since 0.1.0
 * @category utils
 */
export const client = <S, M, E, R>(
  deployed: ClusterAgent<S, M, E, R>
): Effect.Effect<(id: string) => ClusterRef<M>, never, Sharding.Sharding | SecureMode> =>
  Effect.gen(function* () {
    const refs = yield* deployed.client
    const secure = yield* SecureMode
    return (id: string) => guardRef<M, ClusterRef<M>>(refs(id), secure)
  })
