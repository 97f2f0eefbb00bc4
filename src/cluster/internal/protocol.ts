/**
 * The wire protocol of an agent deployed as a cluster entity: two generic Rpcs, `Tell` and
 * `Ask`, each carrying one Schema-encoded message of the agent's union, and `Stats`, the counts
 * its host can give. The agent's own Schema
 * (not the Rpc layer) encodes and decodes messages and replies, so any `Agent.make` definition
 * deploys without deriving one Rpc per message tag.
 */
import { Schema } from "effect"
import { ClusterSchema, Entity } from "effect/cluster"
import { Rpc } from "effect/rpc"
import { AgentStopped, NoReply } from "../../agent/index.ts"

/**
 * Sends one encoded message; acknowledged once it is in the entity's mailbox.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Tell = Rpc.make("Tell", { payload: { message: Schema.Unknown } })

/**
 * Sends one encoded request; answered with the encoded reply.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Ask = Rpc.make("Ask", {
  payload: { message: Schema.Unknown },
  success: Schema.Unknown,
  error: Schema.Union([NoReply, AgentStopped])
})

/**
 * Asks the agent's host how many messages the agent handled since its activation.
 *
 * @since 0.1.0
 * @category constructors
 */
export const Stats = Rpc.make("Stats", {
  success: Schema.Struct({ handled: Schema.Number })
})

/**
 * The entity type of every deployed agent kind.
 *
 * @since 0.1.0
 * @category models
 */
export type AgentEntity = Entity.Entity<string, typeof Tell | typeof Ask | typeof Stats>

/**
 * The entity of agent kind `kind`; `persisted` stores its messages in the cluster's MessageStorage.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEntity = (kind: string, persisted: boolean): AgentEntity => {
  const entity: AgentEntity = Entity.make(kind, [Tell, Ask, Stats])
  return persisted ? entity.annotateRpcs(ClusterSchema.Persisted, true) : entity
}
