/** Self-check of the harness: a Map lookup beside a plain-object lookup, and their bytes per entry. */
import { defineBench } from "./lib/index.ts"

const size = 1_000
const keys = Array.from({ length: size }, (_, i) => `key-${i}`)
const map = new Map(keys.map((key, i) => [key, i]))
const object: Record<string, number> = Object.fromEntries(keys.map((key, i) => [key, i]))
let cursor = 0

export default defineBench("harness", [
  {
    group: "lookup of 1k string keys (1000 lookups per call)",
    baseline: {
      name: "Map.get",
      ops: size,
      fn: () => {
        let s = 0
        for (const key of keys) s += map.get(key) ?? 0
        cursor += s
      }
    },
    cases: [
      {
        name: "object[key]",
        ops: size,
        fn: () => {
          let s = 0
          for (const key of keys) s += object[key] ?? 0
          cursor += s
        }
      }
    ]
  },
  {
    group: "bytes per entry, 100k entries",
    memory: {
      count: 100_000,
      baseline: {
        name: "Map<string, number>",
        build: (n) => new Map(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
      },
      cases: [{ name: "Array<[string, number]>", build: (n) => Array.from({ length: n }, (_, i) => [`k${i}`, i]) }]
    }
  }
])
