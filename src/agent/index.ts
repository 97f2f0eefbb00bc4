/**
 * Agents as supervised fibers (`mabeam/agent`): definitions over a Schema message union, refs
 * (`tell`, `ask` with a timeout), the agent system that spawns and tracks them, lifecycle events.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Agent, AgentSystem } from "mabeam/agent"
 *
 * const Increment = Agent.message("Increment", { by: Schema.Number })
 * const Get = Agent.request("Get", {}, Schema.Number)
 * const Counter = Agent.make({
 *   name: "counter",
 *   messages: Schema.Union([Increment, Get]),
 *   initial: () => 0,
 *   handle: (count: number, msg, ctx) => {
 *     if (msg._tag === "Increment") return count + msg.by
 *     ctx.reply(msg, count)
 *     return count
 *   }
 * })
 * const program = Effect.gen(function*() {
 *   const counter = yield* (yield* AgentSystem).spawn(Counter)
 *   yield* counter.tell(Increment.make({ by: 2 }))
 *   return yield* counter.ask(Get.make({}), { timeout: "1 second" })   // 2
 * })   // provide Mabeam.layer() from "mabeam/runtime"
 * ```
 *
 * @since 0.1.0
 */
export * as Agent from "./Agent.ts"
export type { AgentContext, AgentDefinition, Replies, ReplyHandle, ReplyOf } from "./Agent.ts"
export type { AgentRef, AskOptions, DeadLetterReason } from "./AgentRef.ts"
export { AgentSystem } from "./AgentSystem.ts"
export { tellUnknown } from "./internal/checked.ts"
export type { AgentSystemOptions, SpawnError, SpawnOptions } from "./AgentSystem.ts"
export {
  AgentIdTaken,
  AgentNotRunning,
  AgentStartFailed,
  AgentStopped,
  AskTimeout,
  LinkedAgentFailed,
  MailboxFull,
  NoReply,
  SelfAsk
} from "./errors.ts"
export type { AskError, TellError } from "./errors.ts"
export type { AgentEvent, DeadLetterCounts } from "./events.ts"
export type { OverflowPolicy } from "./Mailbox.ts"
