/**
 * A key-value register with exactly-once writes: the deterministic state machine the Raft
 * key-value store applies in log order, and its messages.
 *
 * A client sends `KvRequest { client, seq, op }`, one at a time per client, `seq` increasing by one
 * per new request, resent unchanged until answered `KvReply { client, seq, value }` (a `Put`
 * answers the value written, a `Get` the value read, `null` when the key was never written). The
 * machine keeps per client the last `seq` applied and its answer (a session, Raft paper §8): a
 * resent request is applied once and answered the same. Reads go through the log too, so every
 * answer is linearizable. Keys and sessions are bounded (`maxKeys`, `maxClients`): beyond them a
 * request is answered `KvRejected` and nothing is evicted.
 *
 * @since 0.1.0
 */

/**
 * A read or a write of one key.
 *
 * @since 0.1.0
 * @category models
 */
export type KvOp =
  | { readonly _tag: "Put"; readonly key: string; readonly value: string }
  | { readonly _tag: "Get"; readonly key: string }

/**
 * A request as a Raft command.
 *
 * @since 0.1.0
 * @category models
 */
export interface KvCommand {
  readonly client: string
  readonly seq: number
  readonly op: KvOp
}

/**
 * Messages between key-value clients and members.
 *
 * @since 0.1.0
 * @category models
 */
export type KvMessage =
  | ({ readonly _tag: "KvRequest" } & KvCommand)
  | { readonly _tag: "KvReply"; readonly client: string; readonly seq: number; readonly value: string | null }
  | { readonly _tag: "KvNotLeader"; readonly client: string; readonly seq: number; readonly leader: string | undefined }
  | {
      readonly _tag: "KvRejected"
      readonly client: string
      readonly seq: number
      readonly reason: "too-many-keys" | "too-many-clients" | "log-full"
    }

/**
 * The replicated state: values and one session per client.
 *
 * @since 0.1.0
 * @category models
 */
export interface KvState {
  readonly values: Readonly<Record<string, string>>
  readonly keys: number
  readonly sessions: Readonly<Record<string, { readonly seq: number; readonly value: string | null }>>
  readonly clients: number
  readonly maxKeys: number
  readonly maxClients: number
}

/**
 * What applying one command did.
 *
 * @since 0.1.0
 * @category models
 */
export type KvResult =
  | { readonly _tag: "Done"; readonly value: string | null }
  | { readonly _tag: "Duplicate"; readonly value: string | null }
  | { readonly _tag: "Stale" }
  | { readonly _tag: "Full"; readonly reason: "too-many-keys" | "too-many-clients" }

/**
 * An empty store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyKv = (maxKeys = 10_000, maxClients = 10_000): KvState => ({
  values: {},
  keys: 0,
  sessions: {},
  clients: 0,
  maxKeys,
  maxClients
})

/**
 * Applies `cmd` once (a resent `seq` answers its recorded value; an older one is `Stale`). Pure.
 *
 * @since 0.1.0
 * @category utils
 */
export const applyKv = (s: KvState, cmd: KvCommand): { readonly state: KvState; readonly result: KvResult } => {
  const session = s.sessions[cmd.client]
  if (session !== undefined && cmd.seq === session.seq)
    return { state: s, result: { _tag: "Duplicate", value: session.value } }
  if (session !== undefined && cmd.seq < session.seq) return { state: s, result: { _tag: "Stale" } }
  if (session === undefined && s.clients >= s.maxClients)
    return { state: s, result: { _tag: "Full", reason: "too-many-clients" } }
  const op = cmd.op
  const fresh = op._tag === "Put" && !Object.hasOwn(s.values, op.key)
  if (fresh && s.keys >= s.maxKeys) return { state: s, result: { _tag: "Full", reason: "too-many-keys" } }
  const value = op._tag === "Put" ? op.value : Object.hasOwn(s.values, op.key) ? s.values[op.key]! : null
  return {
    state: {
      ...s,
      values: op._tag === "Put" ? { ...s.values, [op.key]: op.value } : s.values,
      keys: s.keys + (fresh ? 1 : 0),
      sessions: { ...s.sessions, [cmd.client]: { seq: cmd.seq, value } },
      clients: s.clients + (session === undefined ? 1 : 0)
    },
    result: { _tag: "Done", value }
  }
}

const isCount = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0

const isOp = (u: unknown): u is KvOp => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  if (typeof o["key"] !== "string") return false
  return o["_tag"] === "Get" || (o["_tag"] === "Put" && typeof o["value"] === "string")
}

/**
 * Structural check of a key-value command (inside a Raft entry).
 *
 * @since 0.1.0
 * @category guards
 */
export const isKvCommand = (u: unknown): u is KvCommand =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Record<string, unknown>)["client"] === "string" &&
  isCount(u as Record<string, unknown>, "seq") &&
  isOp((u as Record<string, unknown>)["op"])

/**
 * Structural check of an inbound key-value message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isKvMessage = (u: unknown): u is KvMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  if (typeof o["client"] !== "string" || !isCount(o, "seq")) return false
  switch (o["_tag"]) {
    case "KvRequest":
      return isOp(o["op"])
    case "KvReply":
      return o["value"] === null || typeof o["value"] === "string"
    case "KvNotLeader":
      return o["leader"] === undefined || typeof o["leader"] === "string"
    case "KvRejected":
      return o["reason"] === "too-many-keys" || o["reason"] === "too-many-clients" || o["reason"] === "log-full"
    default:
      return false
  }
}
