/**
 * The server side of a deployed agent: one activation of an entity id. It loads the saved state
 * (or computes the initial one), handles `Tell` and `Ask` one at a time and saves the state as its
 * persistence policy says: under `"on-change"` after every message that changed it, before it
 * answers (a handler failure, or a failed save, drops the message and keeps the previous state,
 * which is also the saved one); under `{ every, within }` after every `every` changes, `within`
 * after the first unsaved change, and on passivation; under `"on-passivate"` on passivation only.
 */
import { Cause, Duration, Effect, Exit, Option, Schema, Scope, Semaphore } from "effect"
import { Entity } from "effect/cluster"
import {
  type AgentContext,
  type AgentDefinition,
  type AgentRef,
  AgentStopped,
  MailboxFull,
  NoReply
} from "../../agent/index.ts"
import { AgentStateStore } from "../AgentStateStore.ts"
import type { ClusterRef } from "../ClusterRef.ts"
import { whenTracing } from "../../telemetry/Span.ts"
import { ActivationProbe } from "./probe.ts"
import type { AgentEntity } from "./protocol.ts"

/**
 * What the host needs besides the definition.
 *
 * @since 0.1.0
 * @category models
 */
export interface HostConfig<S, M> {
  readonly kind: string
  readonly entity: AgentEntity
  readonly state: Schema.Codec<S, unknown>
  readonly replies: Readonly<Record<string, Schema.Codec<unknown, unknown>>>
  readonly messages: Schema.Codec<M, unknown>
  /** Self-sends buffered by one handler call at most; past it `self.tell` fails with `MailboxFull`. */
  readonly selfCapacity: number
  /** Makes the ref an agent uses to reach itself through the cluster. */
  readonly selfRef: (id: string) => ClusterRef<M>
  /** When the state is saved. */
  readonly persist: Persist
}

/**
 * The persistence policy, checked and normalized (see `ClusterAgentOptions.persist`).
 *
 * @since 0.1.0
 * @category models
 */
export type Persist =
  | { readonly _tag: "OnChange" }
  | { readonly _tag: "Every"; readonly messages: number; readonly within: Duration.Duration | undefined }
  | { readonly _tag: "OnPassivate" }

const tagOf = (message: unknown): string => {
  const tag = (message as { readonly _tag?: unknown } | null)?._tag
  return typeof tag === "string" ? tag : typeof message
}

/**
 * The entity handlers of one activation (the `build` effect of `Entity.toLayer`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHandlers = <S, M, E, R>(definition: AgentDefinition<S, M, E, R>, config: HostConfig<S, M>) => {
  // Shared by every activation of the kind: a resident agent holds only what is its own.
  const decodeMessage = Schema.decodeUnknownEffect(config.messages)
  const encodeState = Schema.encodeUnknownEffect(config.state)
  const decodeState = Schema.decodeUnknownEffect(config.state)
  const encodeReply: Readonly<Record<string, (reply: unknown) => Effect.Effect<unknown, Schema.SchemaError>>> =
    Object.fromEntries(Object.entries(config.replies).map(([tag, schema]) => [tag, Schema.encodeUnknownEffect(schema)]))
  return Effect.gen(function* () {
    const address = yield* Entity.CurrentAddress
    const id: string = address.entityId
    const services = yield* Effect.context<R>()
    const store = yield* AgentStateStore
    // Made on first use: most agents never ask or tell themselves, and a ref holds an RPC client.
    let outerRef: ClusterRef<M> | undefined
    const outer = () => (outerRef ??= config.selfRef(id))

    // Self-sends made while handling are delivered after the handler returns (and after the
    // state is saved), so an agent never waits on its own mailbox.
    let pending: Array<M> = []
    let current: M | undefined = undefined
    let reply: { readonly value: unknown } | undefined = undefined
    let handled = 0
    const bufferSelf = (message: M): boolean => {
      if (pending.length >= config.selfCapacity) return false
      pending.push(message)
      return true
    }
    const self: AgentRef<M> = {
      id,
      kind: config.kind,
      tell: (message) =>
        Effect.suspend(() =>
          bufferSelf(message) ? Effect.void : Effect.fail(new MailboxFull({ agent: id, capacity: config.selfCapacity }))
        ),
      tellUnsafe: bufferSelf,
      ask: (request, options) =>
        outer()
          .ask(request, options)
          .pipe(Effect.catchTag("InvalidInput", (error) => Effect.die(error))),
      mailboxSize: () => pending.length,
      isAlive: () => true,
      handledCount: () => handled
    }
    const context: AgentContext<M> = {
      self,
      reply: (request, value) => {
        if (current !== undefined && request === current && reply === undefined) reply = { value }
      },
      // A virtual agent's reply travels back with its handler's result: it cannot be kept for later.
      defer: () => {
        throw new Error(`agent ${config.kind}/${id}: deferred replies are not supported by cluster agents`)
      }
    }
    const run = (step: S | Effect.Effect<S, E, R>): Effect.Effect<S, E> =>
      Effect.isEffect(step) ? Effect.provideContext(step, services) : Effect.succeed(step)

    // Activation and passivation belong to no request (the first message merely finds the id
    // inactive): each is a root span of its own, opened only when a tracer is installed.
    const spanAttributes = { "mabeam.agent.kind": config.kind, "mabeam.agent.id": id }
    let state: S = yield* Effect.gen(function* () {
      const saved = yield* store.load(config.kind, id).pipe(Effect.orDie)
      return Option.isSome(saved)
        ? yield* Effect.try(() => JSON.parse(saved.value) as unknown).pipe(Effect.flatMap(decodeState), Effect.orDie)
        : yield* Effect.suspend(() => run(definition.initial(context))).pipe(Effect.orDie)
    }).pipe(whenTracing("mabeam.cluster.activate", spanAttributes, { root: true }))
    const probe = yield* ActivationProbe
    if (probe !== undefined) {
      probe.activated(config.kind, id)
      yield* Effect.addFinalizer(() => Effect.sync(() => probe.deactivated(config.kind, id)))
    }

    // Deferred policies: `version` counts changes, `savedVersion` the last one written. Saves are
    // serialized so an older snapshot never lands after a newer one.
    const persist = config.persist
    let version = 0
    let savedVersion = 0
    let timerArmed = false
    const scope = yield* Scope.Scope
    const saveLock = Semaphore.makeUnsafe(1)
    const saveCurrent = saveLock.withPermits(1)(
      Effect.suspend(() => {
        if (version === savedVersion) return Effect.void
        const snapshot = state
        const at = version
        return encodeState(snapshot).pipe(
          Effect.flatMap((encoded) => store.save(config.kind, id, JSON.stringify(encoded))),
          Effect.tap(() =>
            Effect.sync(() => {
              if (at > savedVersion) savedVersion = at
            })
          )
        )
      })
    )
    const saveLogged = saveCurrent.pipe(
      Effect.catch((error) => Effect.logWarning(`agent ${config.kind}/${id}: state not saved`, error.message))
    )
    yield* Effect.addFinalizer(() =>
      (persist._tag === "OnChange" ? Effect.void : saveLogged).pipe(
        whenTracing("mabeam.cluster.passivate", { ...spanAttributes, "mabeam.agent.handled": handled }, { root: true })
      )
    )
    const armTimer = (within: Duration.Duration) =>
      Effect.suspend(() => {
        if (timerArmed) return Effect.void
        timerArmed = true
        return Effect.forkIn(
          Effect.sleep(within).pipe(
            Effect.andThen(
              Effect.sync(() => {
                timerArmed = false
              })
            ),
            Effect.andThen(saveLogged)
          ),
          scope
        )
      }).pipe(Effect.asVoid)

    const flushSelf = Effect.suspend(() => {
      if (pending.length === 0) return Effect.void
      const batch = pending
      pending = []
      return Effect.forEach(
        batch,
        (message) =>
          outer()
            .tell(message)
            .pipe(
              Effect.catchTag("InvalidInput", (error) => Effect.die(error)),
              Effect.catch((error) => Effect.logWarning(`agent ${config.kind}/${id}: self-send dropped`, error.message))
            ),
        { discard: true }
      )
    })

    // Handles one decoded message; fails with AgentStopped when the handler or the save failed.
    const deliver = (message: M): Effect.Effect<{ readonly value: unknown } | undefined, AgentStopped> =>
      Effect.gen(function* () {
        current = message
        reply = undefined
        handled++
        const exit = yield* Effect.exit(Effect.suspend(() => run(definition.handle(state, message, context))))
        const answer = reply
        current = undefined
        reply = undefined
        if (Exit.isFailure(exit)) {
          pending = []
          if (Cause.hasInterruptsOnly(exit.cause)) return yield* Effect.interrupt
          yield* Effect.logWarning(`agent ${config.kind}/${id} failed on ${tagOf(message)}`, Cause.pretty(exit.cause))
          return yield* new AgentStopped({ agent: id, reason: "crashed" })
        }
        const next = exit.value
        if (next !== state && persist._tag !== "OnChange") {
          state = next
          version++
          if (persist._tag === "Every") {
            if (version - savedVersion >= persist.messages) {
              const result = yield* Effect.result(saveCurrent)
              if (result._tag === "Failure") {
                pending = []
                yield* Effect.logWarning(`agent ${config.kind}/${id}: state not saved`, result.failure.message)
                return yield* new AgentStopped({ agent: id, reason: "state-not-saved" })
              }
            } else if (persist.within !== undefined) yield* armTimer(persist.within)
          }
        } else if (next !== state) {
          const saved = yield* encodeState(next).pipe(
            Effect.flatMap((encoded) => store.save(config.kind, id, JSON.stringify(encoded))),
            Effect.result
          )
          if (saved._tag === "Failure") {
            pending = []
            yield* Effect.logWarning(`agent ${config.kind}/${id}: state not saved`, saved.failure.message)
            return yield* new AgentStopped({ agent: id, reason: "state-not-saved" })
          }
          state = next
        }
        yield* flushSelf
        return answer
      })

    const decode = (encoded: unknown) =>
      decodeMessage(encoded).pipe(
        Effect.mapError((error) => new Error(`agent ${config.kind}/${id}: undecodable message: ${error.message}`)),
        Effect.orDie
      )

    return config.entity.of({
      Stats: () => Effect.sync(() => ({ handled })),
      Tell: ({ payload }) =>
        decode(payload.message).pipe(
          Effect.flatMap(deliver),
          Effect.catch(() => Effect.void),
          Effect.asVoid
        ),
      Ask: ({ payload }) =>
        Effect.gen(function* () {
          const message = yield* decode(payload.message)
          const answer = yield* deliver(message)
          const tag = tagOf(message)
          if (answer === undefined) return yield* new NoReply({ agent: id, request: tag })
          const encode = encodeReply[tag]
          if (encode === undefined) return answer.value
          return yield* encode(answer.value).pipe(
            Effect.mapError(
              (error) => new Error(`agent ${config.kind}/${id}: reply to ${tag} does not encode: ${error.message}`)
            ),
            Effect.orDie
          )
        })
    })
  })
}
