/** Agents as supervised fibers: definitions, refs (tell / ask), the agent system, lifecycle events. */
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
