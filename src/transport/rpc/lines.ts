/**
 * Newline-delimited JSON framing with a line limit enforced BEFORE anything is decoded: a line
 * longer than `maxLineChars` (or one never ended within it) is discarded as it streams in, up to
 * its newline, without being buffered whole or parsed; a line that is not JSON is discarded too.
 * Either is reported once to `onReject` as an `InvalidInput` naming the limit, and the lines
 * before and after it on the same connection decode as usual (effect's own ndjson would fail the
 * connection instead). Encoding is effect's ndjson.
 *
 * @internal
 */
import { TextDecoder } from "node:util"
import { RpcSerialization } from "effect/rpc"
import { InvalidInput } from "../../errors/index.ts"

/**
 * Why a line was discarded.
 *
 * @since 0.1.0
 * @category models
 */
export type LineRejection = "line-too-long" | "malformed-line"

/**
 * An ndjson serialization that discards (and reports) over-long and malformed lines.
 *
 * @since 0.1.0
 * @category utils
 */
export const boundedNdjson = (
  maxLineChars: number,
  onReject: (reason: LineRejection, error: InvalidInput) => void
): RpcSerialization.RpcSerialization["Service"] =>
  RpcSerialization.RpcSerialization.of({
    ...RpcSerialization.ndjson,
    makeUnsafe: () => {
      const inner = RpcSerialization.ndjson.makeUnsafe()
      let decoder: TextDecoder | undefined
      let buffer = ""
      // Inside a rejected line: everything up to the next newline is dropped.
      let skipping = false
      const tooLong = (chars: number) =>
        onReject(
          "line-too-long",
          new InvalidInput({
            where: "RpcTransport",
            issue: `an ndjson line of at least ${chars} characters exceeds MAX_LINE_CHARS (${maxLineChars}); it was discarded unread`
          })
        )
      return {
        encode: inner.encode,
        decode: (bytes) => {
          const text =
            typeof bytes === "string" ? bytes : (decoder ??= new TextDecoder()).decode(bytes, { stream: true })
          const items: Array<unknown> = []
          let position = 0
          while (position <= text.length) {
            const newline = text.indexOf("\n", position)
            if (newline === -1) {
              const rest = text.length - position
              if (!skipping && buffer.length + rest > maxLineChars) {
                tooLong(buffer.length + rest)
                buffer = ""
                skipping = true
              } else if (!skipping) {
                buffer += text.slice(position)
              }
              break
            }
            const segment = text.slice(position, newline)
            position = newline + 1
            if (skipping) {
              skipping = false
              continue
            }
            let line = buffer.length === 0 ? segment : buffer + segment
            buffer = ""
            if (line.endsWith("\r")) line = line.slice(0, -1)
            if (line.length > maxLineChars) {
              tooLong(line.length)
              continue
            }
            if (line.length === 0) continue
            try {
              items.push(JSON.parse(line))
            } catch {
              onReject(
                "malformed-line",
                new InvalidInput({ where: "RpcTransport", issue: "an ndjson line is not JSON; it was discarded" })
              )
            }
          }
          return items
        }
      }
    }
  })
