/**
 * Majority vote: each proposal is evaluated by `replicas` agents, and a score counts once a
 * majority of them (`⌊replicas/2⌋ + 1`) report scores that agree within `tolerance`. The recorded
 * score is the median of the agreeing reports. It guards the study against a worker that crashes
 * mid-run and reports garbage, or a faulty one: a single bad report cannot move the best.
 *
 * Bounded: at most `maxOpenBallots` undecided ballots (the oldest is dropped when full) and the
 * last `maxClosedBallots` decided keys are remembered (older late votes open a fresh ballot).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { NotAuthorized } from "../VariablesError.ts"
import type { UpdatePolicy, Verdict } from "./UpdatePolicy.ts"

/**
 * Options of `MajorityVote.make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MajorityVoteOptions {
  /** Evaluations per proposal; a majority of them must agree. At least 1. */
  readonly replicas: number
  /** If given, only these agents may vote. */
  readonly voters?: ReadonlyArray<string>
  /** Largest absolute difference between two agreeing scores; default 1e-9. */
  readonly tolerance?: number
  /** Undecided ballots kept; default 1000, oldest dropped first. */
  readonly maxOpenBallots?: number
  /** Decided ballot keys remembered; default 10000, oldest forgotten first. */
  readonly maxClosedBallots?: number
}

interface Vote {
  readonly reporter: string
  readonly score: number
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const dropOldest = <K, V>(map: Map<K, V> | Set<K>, limit: number): void => {
  for (const key of map.keys()) {
    if (map.size <= limit) return
    map.delete(key)
  }
}

/**
 * The majority-vote policy.
 *
 * @example
 * ```ts
 * const orchestrator = yield* Orchestrator
 * const space: Space = { lr: { _tag: "continuous", min: 0.001, max: 1 } }
 * const policy = MajorityVote.make({ replicas: 3, tolerance: 1e-6 })
 * yield* orchestrator.define("mlp", { space, goal: "maximize", policy })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: MajorityVoteOptions): UpdatePolicy => {
  const replicas = Math.max(1, Math.floor(options.replicas))
  const needed = Math.floor(replicas / 2) + 1
  const tolerance = Math.max(0, options.tolerance ?? 1e-9)
  const maxOpen = Math.max(1, options.maxOpenBallots ?? 1000)
  const maxClosed = Math.max(1, options.maxClosedBallots ?? 10_000)
  const voters = options.voters === undefined ? undefined : new Set(options.voters)
  const name = `majority-vote(${needed}/${replicas})`
  return {
    name,
    start: () =>
      Effect.sync(() => {
        const open = new Map<string, Array<Vote>>()
        const closed = new Set<string>()
        const close = (key: string) => {
          open.delete(key)
          closed.add(key)
          dropOldest(closed, maxClosed)
        }
        const largestAgreement = (votes: ReadonlyArray<Vote>): Array<Vote> =>
          votes.reduce<Array<Vote>>((best, v) => {
            const cluster = votes.filter((w) => Math.abs(w.score - v.score) <= tolerance)
            return cluster.length > best.length ? cluster : best
          }, [])
        return {
          submit: (ballot) => {
            if (voters !== undefined && !voters.has(ballot.reporter)) {
              return Effect.fail(
                new NotAuthorized({
                  study: ballot.study,
                  reporter: ballot.reporter,
                  policy: name,
                  reason: "not one of the voters"
                })
              )
            }
            return Effect.sync((): Verdict => {
              if (closed.has(ballot.key)) return { _tag: "Closed" }
              const votes = open.get(ballot.key) ?? []
              if (!votes.some((v) => v.reporter === ballot.reporter)) {
                votes.push({ reporter: ballot.reporter, score: ballot.score })
              }
              const agreeing = largestAgreement(votes)
              if (agreeing.length >= needed) {
                close(ballot.key)
                return {
                  _tag: "Accepted",
                  score: median(agreeing.map((v) => v.score)),
                  reporters: agreeing.map((v) => v.reporter)
                }
              }
              if (votes.length >= replicas) {
                close(ballot.key)
                return { _tag: "NoMajority", scores: votes.map((v) => v.score) }
              }
              open.set(ballot.key, votes)
              dropOldest(open, maxOpen)
              return { _tag: "Pending", votes: agreeing.length, needed }
            })
          }
        }
      })
  }
}
