/**
 * Agent definitions: the tiny contract a user writes (initial state, a handler over a Schema
 * message union); the runtime does the rest (mailbox, supervision, restarts, registry entry).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import type { Duration, Effect } from "effect"
import type { AgentRef } from "./AgentRef.ts"
import type { OverflowPolicy } from "./Mailbox.ts"

declare const ReplyType: unique symbol

/**
 * Marks a message type whose `ask` is answered with an `R`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Replies<R> {
  readonly [ReplyType]?: (_: never) => R
}

/**
 * The reply type of a request message (`never` for plain messages).
 *
 * @since 0.1.0
 * @category models
 */
export type ReplyOf<M> = M extends { readonly [ReplyType]?: (_: never) => infer R } ? R : never

/**
 * A tagged message. Equivalent to `Schema.TaggedStruct(tag, fields)`.
 *
 * @example
 * ```ts
 * const Increment = Agent.message("Increment", { by: Schema.Number })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const message = <const Tag extends string, const Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
) => Schema.TaggedStruct(tag, fields)

/**
 * A tagged message that is answered: `ref.ask(msg)` returns a value of `reply`'s type, and the
 * handler must answer it with `context.reply(msg, value)`.
 *
 * @example
 * ```ts
 * const Get = Agent.request("Get", {}, Schema.Number)
 * const n: number = yield* ref.ask(Get.make({}))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const request = <const Tag extends string, const Fields extends Schema.Struct.Fields, R>(
  tag: Tag,
  fields: Fields,
  _reply: Schema.Codec<R, unknown>
): Schema.Codec<Schema.TaggedStruct<Tag, Fields>["Type"] & Replies<R>, Schema.TaggedStruct<Tag, Fields>["Encoded"]> & {
  readonly make: (
    input: Omit<Schema.TaggedStruct<Tag, Fields>["Type"], "_tag">
  ) => Schema.TaggedStruct<Tag, Fields>["Type"] & Replies<R>
} => Schema.TaggedStruct(tag, fields) as never

/**
 * The way back to the caller of a deferred request (gen_server's `From`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplyHandle<R> {
  /** Answers the caller; false if it was answered already or stopped waiting (timed out). */
  readonly reply: (value: R) => boolean
}

/**
 * What a handler can do besides returning the next state.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentContext<M> {
  /** This agent. */
  readonly self: AgentRef<M>
  /** Answers the request being handled. Replying twice, or to another message, is ignored. */
  readonly reply: <Req extends M>(request: Req, value: ReplyOf<Req>) => void
  /**
   * Keeps the request being handled open past the handler (gen_server's `{noreply, State}` +
   * `gen_server:reply(From, Reply)`): the handler returns at once, the mailbox goes on, and the
   * handle answers later (from a later message, or a fiber forked by the handler). The caller's
   * timeout still applies; if the agent crashes or stops first, the caller gets `AgentStopped`.
   * For a message that is not the request being handled, the handle answers nobody.
   */
  readonly defer: <Req extends M>(request: Req) => ReplyHandle<ReplyOf<Req>>
}

/**
 * The next state, computed directly or by an effect.
 *
 * @since 0.1.0
 * @category models
 */
export type Step<S, E, R> = S | Effect.Effect<S, E, R>

/**
 * An agent's behaviour. Build one with {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentDefinition<S, M, E = never, R = never> {
  /** A name for the kind of agent; instances get ids (`name-1`, ...) unless spawned with one. */
  readonly name: string
  /** The Schema of every message the agent accepts (usually a `Schema.Union` of tagged structs). */
  readonly messages: Schema.Codec<M, unknown>
  /** The state of a fresh incarnation (at spawn and after every restart). */
  readonly initial: (context: AgentContext<M>) => Step<S, E, R>
  /** Handles one message; a failure or defect crashes the agent (its supervisor decides what next). */
  readonly handle: (state: S, message: M, context: AgentContext<M>) => Step<S, E, R>
  /** Capabilities advertised in the registry (e.g. `["bidder"]`). */
  readonly capabilities?: ReadonlyArray<string>
  /** Mailbox capacity (default 1024) and what to do when it is full (default `"backpressure"`). */
  readonly mailbox?: { readonly capacity?: number; readonly overflow?: OverflowPolicy }
  /**
   * The restart intensity of this definition's group supervisor (the dynamic supervisor its agents
   * live under unless spawned with an explicit one). Defaults to the system's `groups.intensity`.
   * Size it to the crashes the whole group may absorb: `maxRestarts` counts the restarts of all
   * its agents together within `within`.
   */
  readonly supervision?: { readonly intensity?: { readonly maxRestarts: number; readonly within: Duration.Input } }
}

/**
 * Defines an agent.
 *
 * @example
 * ```ts
 * const Increment = Agent.message("Increment", { by: Schema.Number })
 * const Get = Agent.request("Get", {}, Schema.Number)
 * const Counter = Agent.make({
 *   name: "counter",
 *   messages: Schema.Union([Increment, Get]),
 *   initial: () => 0,
 *   handle: (count, msg, ctx) => {
 *     switch (msg._tag) {
 *       case "Increment": return count + msg.by
 *       case "Get": ctx.reply(msg, count); return count
 *     }
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S, M, E = never, R = never>(
  definition: AgentDefinition<S, M, E, R>
): AgentDefinition<S, M, E, R> => definition
