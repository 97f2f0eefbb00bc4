/** A tracer that keeps every span it starts (no exporter), for asserting trace shapes in tests. */
import { Tracer } from "effect"

/** A fresh recording tracer and the spans it has started, in start order. */
export const recording = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}
