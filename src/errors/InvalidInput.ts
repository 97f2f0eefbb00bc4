/**
 * The one error every public boundary of mabeam returns for bad input.
 *
 * Each capability has its own small family of tagged errors for what can go wrong in its domain
 * (`AlreadyRegistered`, `AskTimeout`, `InsufficientFunds`, ...). Input that does not match the
 * boundary's Schema is always reported the same way, as `InvalidInput`, before any state changes.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"

/**
 * Input at a public boundary did not match its Schema. `where` names the operation
 * (e.g. `"Registry.register"`), `issue` is the Schema's description of what was wrong.
 *
 * @example
 * ```ts
 * const error = new InvalidInput({ where: "Registry.register", issue: "Expected string" })
 * error.message // 'Registry.register: invalid input: Expected string'
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  where: Schema.String,
  issue: Schema.String
}) {
  override get message(): string {
    return `${this.where}: invalid input: ${this.issue}`
  }
}

/**
 * Decodes `input` with `schema`, failing with `InvalidInput` (naming `where`) instead of a
 * `SchemaError`. Every issue is reported, one per line.
 *
 * @example
 * ```ts
 * const name = yield* decodeInput(Schema.NonEmptyString, "Agent.spawn")(raw)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const decodeInput = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, where: string) => {
  const decode = Schema.decodeUnknownEffect(schema)
  return (input: unknown): Effect.Effect<S["Type"], InvalidInput> =>
    decode(input, { errors: "all" }).pipe(Effect.mapError((error) => new InvalidInput({ where, issue: error.message })))
}
