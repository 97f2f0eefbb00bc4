/**
 * What decides whether a duplicate append is identical: the event's content in canonical JSON.
 *
 * @internal
 */
import type { Schema } from "effect"
import { canonicalJson } from "../../internal/canonicalJson.ts"

/**
 * The content that decides whether a duplicate append is identical.
 *
 * @since 0.1.0
 * @category utils
 */
export const contentOf = (event: {
  readonly type: string
  readonly correlationId?: string
  readonly payload: Schema.Json
}) => canonicalJson({ type: event.type, correlationId: event.correlationId ?? null, payload: event.payload })
