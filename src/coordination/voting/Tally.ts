/**
 * Counting votes as pure functions: majority or plurality over (possibly weighted) ballots, and
 * instant-runoff over ranked ballots, each with a quorum. Deterministic: ballots from outside the
 * electorate are ignored, a voter's first ballot is the one counted, ties are reported, not
 * broken at random (instant runoff eliminates the lowest tally, ties by choice name).
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"

/**
 * Fewer votes (by weight) were cast than the quorum requires.
 *
 * @since 0.1.0
 * @category errors
 */
export class QuorumNotMet extends Schema.TaggedError<QuorumNotMet>()("QuorumNotMet", {
  cast: Schema.Number,
  required: Schema.Number,
  total: Schema.Number
}) {
  override get message(): string {
    return `quorum not met: ${this.cast} of ${this.total} cast, ${this.required} required`
  }
}

/**
 * No choice won: under majority nobody has more than half the weight cast, or the top is tied.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoMajority extends Schema.TaggedError<NoMajority>()("NoMajority", {
  leaders: Schema.Array(Schema.String),
  top: Schema.Number,
  cast: Schema.Number
}) {
  override get message(): string {
    return `no winner: ${this.leaders.join(", ") || "nobody"} lead with ${this.top} of ${this.cast} cast`
  }
}

/**
 * A ballot for one choice.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ballot {
  readonly voter: string
  readonly choice: string
}

/**
 * A ranked ballot: most preferred first.
 *
 * @since 0.1.0
 * @category models
 */
export interface RankedBallot {
  readonly voter: string
  readonly ranking: ReadonlyArray<string>
}

/**
 * How to count. `electorate` maps each voter to its weight (> 0; use 1 for one-voter-one-vote).
 *
 * @since 0.1.0
 * @category models
 */
export interface TallyOptions {
  readonly electorate: Readonly<Record<string, number>>
  /** `majority`: the winner needs more than half the weight cast; `plurality`: the most weight, untied. */
  readonly rule: "majority" | "plurality"
  /** The fraction of the electorate's total weight that must be cast, in `[0, 1]` (default 0.5). */
  readonly quorum?: number
}

/**
 * The outcome of a count.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decision {
  readonly winner: string
  /** Weight per choice (for instant runoff: of the final round). */
  readonly votes: Readonly<Record<string, number>>
  readonly cast: number
  readonly total: number
}

const totalWeight = (electorate: Readonly<Record<string, number>>) =>
  Object.values(electorate).reduce((a, w) => a + w, 0)

/**
 * The ballots that count: from the electorate, the first per voter.
 *
 * @since 0.1.0
 * @category utils
 */
export const countable = <B extends { readonly voter: string }>(
  ballots: ReadonlyArray<B>,
  electorate: Readonly<Record<string, number>>
): ReadonlyArray<B> => {
  const seen = new Set<string>()
  return ballots.filter((b) => {
    if (seen.has(b.voter) || !Object.hasOwn(electorate, b.voter)) return false
    seen.add(b.voter)
    return true
  })
}

const quorumCheck = (
  cast: number,
  options: { readonly electorate: Readonly<Record<string, number>>; readonly quorum?: number }
): QuorumNotMet | undefined => {
  const total = totalWeight(options.electorate)
  const required = (options.quorum ?? 0.5) * total
  return cast < required || cast === 0 ? new QuorumNotMet({ cast, required, total }) : undefined
}

const winnerOf = (
  votes: Readonly<Record<string, number>>,
  cast: number,
  rule: "majority" | "plurality"
): string | NoMajority => {
  let top = 0
  let leaders: Array<string> = []
  for (const [choice, weight] of Object.entries(votes)) {
    if (weight > top) [top, leaders] = [weight, [choice]]
    else if (weight === top) leaders.push(choice)
  }
  leaders.sort()
  const won = leaders.length === 1 && (rule === "plurality" || top * 2 > cast)
  return won ? leaders[0]! : new NoMajority({ leaders, top, cast })
}

/**
 * Counts single-choice ballots under `options`. Fails with `QuorumNotMet` when too little weight
 * was cast, `NoMajority` when no choice wins.
 *
 * @example
 * ```ts
 * tally([{ voter: "a", choice: "x" }, { voter: "b", choice: "x" }], { electorate: { a: 1, b: 1, c: 1 }, rule: "majority" })
 * // Result.succeed({ winner: "x", votes: { x: 2 }, cast: 2, total: 3 })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const tally = (
  ballots: ReadonlyArray<Ballot>,
  options: TallyOptions
): Result.Result<Decision, QuorumNotMet | NoMajority> => {
  const votes: Record<string, number> = {}
  let cast = 0
  for (const b of countable(ballots, options.electorate)) {
    const weight = options.electorate[b.voter] ?? 0
    votes[b.choice] = (votes[b.choice] ?? 0) + weight
    cast += weight
  }
  const short = quorumCheck(cast, options)
  if (short !== undefined) return Result.fail(short)
  const winner = winnerOf(votes, cast, options.rule)
  return typeof winner === "string"
    ? Result.succeed({ winner, votes, cast, total: totalWeight(options.electorate) })
    : Result.fail(winner)
}

/**
 * Instant runoff over ranked ballots: repeatedly count each ballot for its highest-ranked choice
 * still standing, until one has more than half the weight of the ballots still counting; else
 * eliminate the lowest (ties: the greatest name). A tie of every choice still standing is
 * `NoMajority`. The quorum counts every ballot cast.
 *
 * @since 0.1.0
 * @category utils
 */
export const instantRunoff = (
  ballots: ReadonlyArray<RankedBallot>,
  options: { readonly electorate: Readonly<Record<string, number>>; readonly quorum?: number }
): Result.Result<Decision, QuorumNotMet | NoMajority> => {
  const valid = countable(ballots, options.electorate)
  const cast = valid.reduce((a, b) => a + (options.electorate[b.voter] ?? 0), 0)
  const short = quorumCheck(cast, options)
  if (short !== undefined) return Result.fail(short)
  const standing = new Set(valid.flatMap((b) => b.ranking))
  while (standing.size > 0) {
    const votes: Record<string, number> = {}
    for (const c of standing) votes[c] = 0
    let counting = 0
    for (const b of valid) {
      const pick = b.ranking.find((c) => standing.has(c))
      if (pick === undefined) continue
      const weight = options.electorate[b.voter] ?? 0
      votes[pick] = (votes[pick] ?? 0) + weight
      counting += weight
    }
    const winner = winnerOf(votes, counting, "majority")
    if (typeof winner === "string")
      return Result.succeed({ winner, votes, cast, total: totalWeight(options.electorate) })
    if (standing.size === 1 || counting === 0 || winner.leaders.length === standing.size) return Result.fail(winner)
    const lowest = [...standing].sort((a, b) => (votes[a] ?? 0) - (votes[b] ?? 0) || (a < b ? 1 : -1))[0]!
    standing.delete(lowest)
  }
  return Result.fail(new NoMajority({ leaders: [], top: 0, cast }))
}
