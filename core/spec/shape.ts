/**
 * Which parts of a document the schema found well-formed (check-structure.ts), so that Katib's
 * rules still check those parts when another part is broken: every problem of a file in one pass,
 * and no rule ever reads a value of the wrong type.
 */
export interface Shape {
  /** The node at `path` and everything below it match the schema (an absent optional node does). */
  wellFormed(path: string): boolean
  /** The node at `path` and its ancestors have the right type; something below may be broken. */
  intact(path: string): boolean
}

/** The shape of a document without structural issues. */
export const WHOLE: Shape = { wellFormed: () => true, intact: () => true }
