/**
 * The PBFT scenario: n = 3f + 1 replicas (f = 1 by default), f of them Byzantine: the view-0
 * primary in half of the seeds, another replica in the rest (and further ones for f > 1);
 * equivocating, silent, forging, or silent only while it is the primary (by seed). A client signs 6 requests and sends each to every replica, resending
 * until f + 1 replicas reply; crashes of one replica at a time, partitions, drops and duplicates.
 * Messages are signed with per-replica HMAC keys (`hmacCrypto`, fast; see `pbft/auth.ts`), or
 * with real Ed25519 (`options.signatures: "ed25519"`, about 3x slower per seed; the same trace).
 * Checks after every step: honest replicas never commit different values at one sequence number
 * (agreement), and commit only client requests or the no-op (validity). After the faults stop and
 * `quiet` = `pbftLivenessBound(config)` passes: every honest replica committed every request and the
 * client has f + 1 replies for each (liveness within a bounded simulated time).
 *
 * Broken variants (each must be caught): `quorum` (2f instead of 2f + 1), `no-view-change` (a
 * silent primary then stops progress), `unsigned` (no signatures: a forger breaks agreement).
 */
import type { Protocol } from "../../../src/coordination/index.ts"
import { Pbft } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

type M = Pbft.PbftMessage
/** How a Byzantine replica behaves. */
export type Byzantine = "equivocating" | "silent" | "forger" | "silent-primary"
/** A deliberately broken variant. */
export type PbftVariant = "quorum" | "no-view-change" | "unsigned"
type State =
  | {
      readonly _tag: "Client"
      readonly sent: number
      readonly replies: Readonly<Record<string, ReadonlyArray<string>>>
    }
  | { readonly _tag: "Replica"; readonly byzantine: Byzantine | "no"; readonly r: Pbft.PbftState }
type P = Extract<State, { _tag: "Client" }> | Pbft.PbftPersisted

const requests = 6
/** The client resends a request without f + 1 replies every `retry` ms. */
const retry = 150
const values = new Set([...Array(requests).keys()].map((i) => `req-${i}`))
const kinds: ReadonlyArray<Byzantine> = ["equivocating", "silent", "forger", "silent-primary"]
const steps = {
  equivocating: Pbft.equivocatorStep,
  silent: Pbft.silentStep,
  forger: Pbft.forgerStep,
  "silent-primary": Pbft.silentPrimaryStep,
  no: Pbft.pbftStep
}

const protocol = (
  config: Pbft.PbftConfig,
  crypto: Pbft.PbftCrypto,
  faulty: ReadonlyMap<string, Byzantine>
): Protocol<State, M, P, Pbft.PbftEmit> => {
  const { f, replicas } = config
  const replica = Pbft.makePbft(config, crypto)
  const client = crypto.authFor("client")
  const all = (request: Pbft.ClientRequest) =>
    replicas.map((node) => ({
      _tag: "Send" as const,
      to: { node, id: config.service },
      message: { _tag: "Request" as const, request }
    }))
  return {
    name: config.service,
    init: (self, persisted) =>
      self.node === "client"
        ? persisted !== undefined && "_tag" in persisted
          ? persisted
          : { _tag: "Client", sent: 0, replies: {} }
        : {
            _tag: "Replica",
            byzantine: faulty.get(self.node) ?? "no",
            r: replica.init(self, persisted !== undefined && !("_tag" in persisted) ? persisted : undefined)
          },
    step: (s, e) => {
      if (s._tag === "Replica") {
        const next = steps[s.byzantine](s.r, e)
        return { state: { ...s, r: next.state }, outputs: next.outputs }
      }
      if (e._tag === "Start")
        return {
          state: s,
          outputs: [
            { _tag: "SetTimer", key: "next", at: e.now + 20 },
            { _tag: "SetTimer", key: "retry", at: e.now + retry }
          ]
        }
      if (e._tag === "Receive") {
        const m = e.message
        if (m._tag !== "Reply" || !Pbft.verified(config, client, m) || s.replies[m.value]?.includes(m.replica) === true)
          return { state: s, outputs: [] }
        return {
          state: { ...s, replies: { ...s.replies, [m.value]: [...(s.replies[m.value] ?? []), m.replica] } },
          outputs: []
        }
      }
      if (e.key === "retry") {
        const waiting = [...Array(s.sent).keys()]
          .map((i) => `req-${i}`)
          .filter((v) => (s.replies[v]?.length ?? 0) < f + 1)
        return {
          state: s,
          outputs: [
            ...waiting.flatMap((v) => all(Pbft.signRequest(client, v))),
            { _tag: "SetTimer", key: "retry", at: e.now + retry }
          ]
        }
      }
      if (s.sent >= requests) return { state: s, outputs: [] }
      return {
        state: { ...s, sent: s.sent + 1 },
        outputs: [...all(Pbft.signRequest(client, `req-${s.sent}`)), { _tag: "SetTimer", key: "next", at: e.now + 40 }]
      }
    },
    persist: (s) => (s._tag === "Client" ? s : replica.persist(s.r)),
    isMessage: Pbft.isPbftMessage
  }
}

/** The largest one-way message delay of the scenario's links, ms. */
const maxDelay = 20

/**
 * How long after the faults stop (every partition healed, every replica restarted) PBFT may take
 * to commit every pending request: its liveness bound. After that point at most f + 1 view
 * changes are needed (the view in progress may be abandoned, then up to f consecutive views can
 * have a Byzantine primary); each one waits for a view-change timer, which doubles per view
 * without progress but is capped at 4 × `viewTimeout`, plus a resend period (a lost view-change
 * or new-view is resent) and three message delays (view-change, new-view, and the first
 * pre-prepare). Then the client's next retry and the three phases of the request (pre-prepare,
 * prepare, commit) and the reply. With f = 2, viewTimeout 150, resend 100 and 20 ms links this is
 * 3 × (600 + 100 + 60) + 150 + 4 × 20 = 2 510 ms: the 1.5 s used before covered only about one
 * capped view change, which is why one f = 2 seed ran out of time.
 */
export const pbftLivenessBound = (config: Pbft.PbftConfig, clientRetry = retry, delay = maxDelay): number =>
  (config.f + 1) * (4 * config.viewTimeout + config.resend + 3 * delay) + clientRetry + 4 * delay

/** Options of `pbftScenario`. */
export interface PbftScenarioOptions {
  /** `"ed25519"` signs with real Ed25519 instead of the fast HMAC keys (default `"hmac"`). */
  readonly signatures?: "hmac" | "ed25519"
  /** Faulty replicas tolerated, and Byzantine ones run: n = 3f + 1 (default 1). */
  readonly f?: number
}

/**
 * The Byzantine replicas of a seed: the view-0 primary `r0` in even seeds, another replica in odd
 * ones, then (f > 1) further distinct replicas; each behaviour also by seed.
 */
const byzantineOf = (seed: number, replicas: ReadonlyArray<string>, f: number): ReadonlyMap<string, Byzantine> => {
  const faulty = new Map<string, Byzantine>()
  const n = replicas.length
  for (let i = 0; i < f; i++) {
    let index = i === 0 && seed % 2 === 0 ? 0 : 1 + (((seed >> 1) + i) % (n - 1))
    while (faulty.has(replicas[index]!)) index = 1 + (index % (n - 1))
    faulty.set(replicas[index]!, kinds[((seed >> 1) + 2 * i) % kinds.length]!)
  }
  return faulty
}

/** One seeded PBFT run; `broken` (`true` is `"quorum"`) runs a deliberately broken variant (f = 1). */
export const pbftScenario = (
  seed: number,
  broken: boolean | PbftVariant = false,
  options: PbftScenarioOptions = {}
): SimulateOptions<State, M, P, Pbft.PbftEmit> => {
  const f = options.f ?? 1
  const replicas = [...Array(3 * f + 1).keys()].map((i) => `r${i}`)
  const variant = broken === true ? "quorum" : broken === false ? undefined : broken
  const config: Pbft.PbftConfig = {
    ...Pbft.defaultPbftConfig(replicas, f),
    resend: 100,
    viewTimeout: 150,
    checkpointInterval: 2,
    unsafeQuorum: variant === "quorum" ? 2 * f : undefined,
    unsafeNoViewChange: variant === "no-view-change" ? true : undefined
  }
  const faulty: ReadonlyMap<string, Byzantine> =
    variant === "no-view-change"
      ? new Map([["r0", "silent"]])
      : variant === "quorum"
        ? new Map([["r0", "equivocating"]])
        : variant === "unsigned"
          ? new Map([[replicas.at(-1)!, "forger"]])
          : byzantineOf(seed, replicas, f)
  const crypto =
    variant === "unsigned"
      ? Pbft.unsignedCrypto
      : options.signatures === "ed25519"
        ? Pbft.ed25519Crypto(`pbft-sim-${seed}`)
        : Pbft.hmacCrypto(`pbft-sim-${seed}`)
  return {
    seed,
    // The replay command's name: `run.ts` knows "pbft" and "pbft-broken" (the quorum variant);
    // the other broken variants end in "-broken" too, so `run.ts all` skips them once registered.
    scenario:
      variant === "quorum"
        ? "pbft-broken"
        : `pbft${f === 1 ? "" : `-f${f}`}${options.signatures === "ed25519" ? "-ed25519" : ""}${variant === undefined ? "" : `-${variant}-broken`}`,
    protocol: protocol(config, crypto, faulty),
    nodes: [...replicas, "client"],
    duration: 400,
    quiet: pbftLivenessBound(config),
    network: { defaults: { minDelay: 1, maxDelay, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 1, partition: true },
    checker: () => {
      const decided = new Map<number, { readonly value: string; readonly node: string }>()
      return {
        step: (view) => {
          const s = view.state
          if (s._tag !== "Replica" || s.byzantine !== "no") return undefined
          for (const [key, slot] of Object.entries(s.r.slots)) {
            if (slot.committed === undefined) continue
            const seq = Number(key)
            const known = decided.get(seq)
            if (known !== undefined && known.value !== slot.committed) {
              return `agreement: ${known.node} committed ${known.value} at seq ${seq}, ${view.node} committed ${slot.committed}`
            }
            if (known === undefined) decided.set(seq, { value: slot.committed, node: view.node })
            if (slot.committed !== Pbft.NULL_VALUE && !values.has(slot.committed))
              return `validity: ${view.node} committed ${slot.committed} at seq ${seq}, which no client requested`
          }
          return undefined
        },
        final: (states) => {
          const client = states.get("client")
          if (client?._tag !== "Client" || client.sent < requests)
            return `liveness: the client sent ${client?._tag === "Client" ? client.sent : 0} requests`
          for (const [node, s] of states) {
            if (s._tag !== "Replica" || s.byzantine !== "no") continue
            const committed = new Set(Object.values(s.r.slots).map((slot) => slot.committed))
            const missing = [...values].filter((v) => !committed.has(v))
            if (missing.length > 0)
              return `liveness: ${node} (view ${s.r.view}, ${s.r.status}) has not committed ${missing.join(", ")} after the faults stopped`
          }
          const unanswered = [...values].filter((v) => (client.replies[v]?.length ?? 0) < f + 1)
          return unanswered.length > 0
            ? `liveness: the client has fewer than f + 1 replies for ${unanswered.join(", ")}`
            : undefined
        }
      }
    }
  }
}
