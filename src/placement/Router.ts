/**
 * Routers over a registry selection: each `route` selects the running agents that match (a
 * registry selector plus required capabilities) and picks one with the router's strategy, using
 * live mailbox depths — no caller pushes load figures.
 *
 * @since 0.1.0
 */
import { Effect, Option, Random, Schema, type Scope, Stream } from "effect"
import { type AgentRef, AgentSystem, type TellError } from "../agent/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { type BackendUnavailable, type Entry, Registry, Selector } from "../registry/index.ts"
import { NoEligibleAgent } from "./errors.ts"
import { makePicker, Strategy } from "./Strategy.ts"

/**
 * Options of a router.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RouterOptions = Schema.Struct({
  strategy: Strategy,
  /** Registry selector of the pool (default `{}`: every entry). */
  selector: Schema.optionalKey(Selector),
  /** Capabilities every chosen agent must advertise (all of them). */
  capabilities: Schema.optionalKey(
    Schema.Array(Schema.String.check(Schema.isMinLength(1))).check(Schema.isMaxLength(16))
  )
})
/**
 * Options of a router.
 *
 * @since 0.1.0
 * @category models
 */
export type RouterOptions = typeof RouterOptions.Type

/**
 * What `route` can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type RouteError = NoEligibleAgent | BackendUnavailable | InvalidInput

/**
 * A router: picks one agent of its pool per message. `M` is the message type the pool accepts;
 * the selector is what guarantees it (e.g. `{ name: "worker" }` selects one kind of agent).
 *
 * @since 0.1.0
 * @category models
 */
export interface Router<M = unknown> {
  readonly strategy: Strategy
  /** The running agents of the pool, in registry order. */
  readonly candidates: Effect.Effect<ReadonlyArray<AgentRef<M>>, BackendUnavailable | InvalidInput>
  /** Picks an agent of the pool; `NoEligibleAgent` when none is running. */
  readonly route: Effect.Effect<AgentRef<M>, RouteError>
  /** Routes `message` and tells it to the chosen agent; returns the agent. */
  readonly tell: (message: M) => Effect.Effect<AgentRef<M>, RouteError | TellError>
  /**
   * Picks among refs the caller already holds (the hot path: no registry read). Capabilities are
   * not checked here; `"capability-match"` treats every ref as an exact match.
   */
  readonly pick: <M>(refs: ReadonlyArray<AgentRef<M>>) => Option.Option<AgentRef<M>>
}

const capabilitiesOf = (entry: Entry): ReadonlyArray<string> => {
  const value = entry.metadata["capabilities"]
  return Array.isArray(value) ? value : []
}

interface Candidate {
  readonly ref: AgentRef<never>
  readonly surplus: number
}

const decodeOptions = decodeInput(RouterOptions, "Router.make")

/**
 * Builds a router over the registry. Needs the `AgentSystem` (to reach the agents) and the
 * `Registry` (to select them); fails with `InvalidInput` on bad options.
 *
 * @example
 * ```ts
 * const router = yield* Router.make<JobMessage>({ strategy: "least-loaded", capabilities: ["render"] })
 * const worker = yield* router.tell(Job.make({ id: 7 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <M = unknown>(
  input: RouterOptions
): Effect.Effect<Router<M>, InvalidInput, AgentSystem | Registry> =>
  // Without a cache nothing is forked, so no Scope is needed.
  build<M>(input, false) as Effect.Effect<Router<M>, InvalidInput, AgentSystem | Registry>

/**
 * Like `make`, but keeps the selection until the registry changes: a subscription to registry
 * changes (owned by the current scope) marks it stale, and a chosen agent found stopped forces a
 * re-read. A lagging subscription (`ChangesLagged`) makes every route re-read the registry.
 *
 * @example
 * ```ts
 * const router = yield* Router.makeCached<JobMessage>({ strategy: "round-robin", selector: { name: "worker" } })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCached = <M = unknown>(
  input: RouterOptions
): Effect.Effect<Router<M>, InvalidInput, AgentSystem | Registry | Scope.Scope> => build<M>(input, true)

const build = <M>(
  input: RouterOptions,
  cached: boolean
): Effect.Effect<Router<M>, InvalidInput, AgentSystem | Registry | Scope.Scope> =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    const system = yield* AgentSystem
    const registry = yield* Registry
    const random = yield* Random.Random
    const required = options.capabilities ?? []
    // The registry matches one value per field; the first required capability narrows the
    // selection there, the rest are checked here.
    const first = required[0]
    const selector: Selector =
      first !== undefined && options.selector?.["capabilities"] === undefined
        ? { ...options.selector, capabilities: first }
        : { ...options.selector }
    const selection = JSON.stringify({
      ...options.selector,
      ...(required.length > 0 ? { capabilities: required } : {})
    })

    const picker = makePicker<Candidate>(
      options.strategy,
      {
        load: (c) => c.ref.mailboxSize(),
        surplus: (c) => c.surplus
      },
      random
    )
    const refPicker = makePicker<{ readonly mailboxSize: () => number }>(
      options.strategy,
      { load: (ref) => ref.mailboxSize() },
      random
    )

    const eligible = Effect.map(registry.select(selector), (entries) => {
      const out: Array<Candidate> = []
      for (const entry of entries) {
        const capabilities = capabilitiesOf(entry)
        if (!required.every((c) => capabilities.includes(c))) continue
        const ref = system.lookup(entry.key)
        if (Option.isNone(ref) || !ref.value.isAlive()) continue
        out.push({ ref: ref.value as AgentRef<never>, surplus: capabilities.length - required.length })
      }
      return out
    })

    let cache: ReadonlyArray<Candidate> | undefined
    let subscribed = false
    // Bumped by every change; a selection read while a change arrived is not kept.
    let version = 0
    if (cached) {
      const changes = yield* registry.subscribe
      yield* Effect.forkScoped(
        changes.pipe(
          Stream.runForEach(() =>
            Effect.sync(() => {
              version++
              cache = undefined
            })
          ),
          Effect.ignore,
          Effect.ensuring(
            Effect.sync(() => {
              subscribed = false
              cache = undefined
            })
          )
        )
      )
      subscribed = true
    }
    const current = Effect.suspend(() => {
      if (subscribed && cache !== undefined) return Effect.succeed(cache)
      const seen = version
      return Effect.map(eligible, (candidates) => {
        if (subscribed && seen === version) cache = candidates
        return candidates
      })
    })

    const route: Effect.Effect<AgentRef<M>, RouteError> = Effect.flatMap(current, (candidates) => {
      const chosen = candidates[picker.pick(candidates)]
      if (chosen !== undefined && !chosen.ref.isAlive() && cache !== undefined) {
        cache = undefined
        return route
      }
      return chosen === undefined
        ? Effect.fail(new NoEligibleAgent({ strategy: options.strategy, selection }))
        : Effect.succeed(chosen.ref as unknown as AgentRef<M>)
    })

    const router: Router<M> = {
      strategy: options.strategy,
      candidates: Effect.map(eligible, (candidates) => candidates.map((c) => c.ref as unknown as AgentRef<M>)),
      route,
      tell: (message) => Effect.flatMap(route, (ref) => Effect.as(ref.tell(message), ref)),
      pick: (refs) => Option.fromNullishOr(refs[refPicker.pick(refs)])
    }
    return router
  })
