/**
 * Reputation: a score in [0, 1] per subject, learned from rated outcomes, forgetting with time.
 *
 * Each rating (`outcome` in [0, 1], 1 = fully satisfied) adds weight 1 from its rater. Weights
 * decay exponentially on `Clock` with the configured half-life. A single rater's weight on a
 * subject is capped at `maxRaterWeight` (spam keeps its average but not its influence), and the
 * score is a weighted mean with a prior (`prior` with weight `priorWeight`), so one rater can
 * move a score by at most `maxRaterWeight / (priorWeight + maxRaterWeight)` of the distance to
 * its rating. Self-ratings are rejected. At most `maxRaters` raters are kept per subject; past
 * that, the one with the least current weight is forgotten.
 *
 * **Subjects are bounded** by `maxSubjects` (default 100 000). When a rating would add one more,
 * the weakest tenth of the subjects — least total decayed weight, i.e. the least evidence — is
 * forgotten in one pass (amortised O(log n) per new subject); a forgotten subject is back at the
 * prior. Least weight rather than least recent: flooding fresh subjects with one rating each
 * cannot push out a subject with a long, heavy record.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import { AccountId } from "../money.ts"

/**
 * A rater tried to rate itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class SelfRating extends Schema.TaggedError<SelfRating>()("SelfRating", { subject: Schema.String }) {
  override get message(): string {
    return `"${this.subject}" cannot rate itself`
  }
}

/**
 * Input of `Reputation.rate`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Rating = Schema.Struct({
  subject: AccountId,
  rater: AccountId,
  outcome: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
})
/**
 * Input of `Reputation.rate`.
 *
 * @since 0.1.0
 * @category models
 */
export type Rating = typeof Rating.Type

/**
 * Options of `Reputation.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReputationOptions {
  /** Half-life of a rating's weight in ms. Default 7 days. */
  readonly halfLife?: number
  /** Cap on one rater's total (decayed) weight per subject. Default 3. */
  readonly maxRaterWeight?: number
  /** Score of a subject nobody rated. Default 0.5. */
  readonly prior?: number
  /** Weight of the prior. Default 2. */
  readonly priorWeight?: number
  /** Raters remembered per subject. Default 1 000. */
  readonly maxRaters?: number
  /** Subjects remembered; past this the weakest tenth is forgotten. Default 100 000. */
  readonly maxSubjects?: number
}

/**
 * A subject's current standing: the score and the (decayed) rating weight behind it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Standing {
  readonly score: number
  readonly weight: number
}

interface Entry {
  weight: number
  sum: number
  at: number
}

/**
 * The reputation service.
 *
 * @since 0.1.0
 * @category services
 */
export class Reputation extends Context.Service<
  Reputation,
  {
    /** Records one rated outcome of `subject` by `rater`. */
    readonly rate: (rating: Rating) => Effect.Effect<void, SelfRating | InvalidInput>
    /** The subject's standing now (the prior if never rated). */
    readonly standing: (subject: string) => Effect.Effect<Standing, InvalidInput>
  }
>()("mabeam/Reputation") {
  /** An in-memory reputation service with the given options. */
  static readonly layerWith = (options: ReputationOptions = {}): Layer.Layer<Reputation> =>
    Layer.sync(Reputation, () => makeReputation(options))

  /** The in-memory reputation service with default options. */
  static readonly layer: Layer.Layer<Reputation> = Layer.suspend(() => Reputation.layerWith())
}

const makeReputation = (options: ReputationOptions): Reputation["Service"] => {
  const halfLife = options.halfLife ?? 7 * 24 * 3600 * 1000
  const cap = options.maxRaterWeight ?? 3
  const prior = options.prior ?? 0.5
  const priorWeight = options.priorWeight ?? 2
  const maxRaters = options.maxRaters ?? 1000
  const maxSubjects = options.maxSubjects ?? 100_000
  const subjects = new Map<string, Map<string, Entry>>()
  const decayTo = (entry: Entry, now: number): void => {
    const factor = Math.pow(2, -Math.max(0, now - entry.at) / halfLife)
    entry.weight *= factor
    entry.sum *= factor
    entry.at = now
  }
  const weightOf = (raters: Map<string, Entry>, now: number): number => {
    let weight = 0
    for (const entry of raters.values()) {
      decayTo(entry, now)
      weight += entry.weight
    }
    return weight
  }
  // Ties (equal weight) go in insertion order: the subject first rated earliest is forgotten first.
  const forgetWeakest = (now: number): void => {
    const ranked = [...subjects].map(([name, raters]) => ({ name, weight: weightOf(raters, now) }))
    ranked.sort((x, y) => x.weight - y.weight)
    for (const { name } of ranked.slice(0, Math.max(1, Math.ceil(subjects.size / 10)))) subjects.delete(name)
  }
  const decodeRating = decodeInput(Rating, "Reputation.rate")
  const decodeSubject = decodeInput(AccountId, "Reputation.standing")

  return Reputation.of({
    rate: (input) =>
      Effect.gen(function* () {
        const { outcome, rater, subject } = yield* decodeRating(input)
        if (rater === subject) return yield* new SelfRating({ subject })
        const now = yield* Clock.currentTimeMillis
        let raters = subjects.get(subject)
        if (raters === undefined) {
          if (subjects.size >= maxSubjects) forgetWeakest(now)
          subjects.set(subject, (raters = new Map()))
        }
        let entry = raters.get(rater)
        if (entry === undefined) {
          if (raters.size >= maxRaters) {
            let weakest: string | undefined
            let least = Infinity
            for (const [name, e] of raters) {
              decayTo(e, now)
              if (e.weight < least) [weakest, least] = [name, e.weight]
            }
            if (weakest !== undefined) raters.delete(weakest)
          }
          raters.set(rater, (entry = { weight: 0, sum: 0, at: now }))
        }
        decayTo(entry, now)
        entry.weight += 1
        entry.sum += outcome
        if (entry.weight > cap) {
          entry.sum *= cap / entry.weight
          entry.weight = cap
        }
      }),
    standing: (input) =>
      Effect.gen(function* () {
        const subject = yield* decodeSubject(input)
        const now = yield* Clock.currentTimeMillis
        let weight = 0
        let sum = 0
        for (const entry of subjects.get(subject)?.values() ?? []) {
          decayTo(entry, now)
          weight += entry.weight
          sum += entry.sum
        }
        return { score: (prior * priorWeight + sum) / (priorWeight + weight), weight }
      })
  })
}
