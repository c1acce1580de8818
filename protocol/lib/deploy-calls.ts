// Calls that make containers: run one from a RunSpec, read an existing one back as a RunSpec (to
// duplicate it with edits), and start, stop or restart a whole compose project. Admin only.
import { c, struct, optional, array, type Decoded, type Encoder } from './codec.ts'
import { unary } from './call-spec.ts'
import { containerRef } from './container-calls.ts'
import { runSpec, fieldError, type RunSpec, type FieldError } from './run-spec.ts'

const created = struct({
  id: c.string,
  name: c.string,
  /** False when the container was not asked to start, or its start failed (see startError). */
  started: c.bool,
  /**
   * Docker's reason when the start failed. The container then exists, created but not running,
   * for the user to fix or remove: never left behind silently.
   */
  startError: optional(c.string),
  /** Docker's create warnings, e.g. about a kernel feature. */
  warnings: array(c.string)
})
const refused = struct({ errors: array(fieldError) })

export type CreateResult =
  | ({ ok: true } & Decoded<typeof created>)
  /** Nothing was created. */
  | { ok: false; errors: FieldError[] }

/** A flag byte (ok), then the created container or the field errors. */
export const createResult: Encoder<CreateResult> = {
  preencode(state, value) {
    state.end++
    if (value.ok) created.preencode(state, value)
    else refused.preencode(state, value)
  },
  encode(state, value) {
    c.bool.encode(state, value.ok)
    if (value.ok) created.encode(state, value)
    else refused.encode(state, value)
  },
  decode(state) {
    return c.bool.decode(state) ? { ok: true, ...created.decode(state) } : { ok: false, ...refused.decode(state) }
  }
}

export const projectParams = struct({
  /** The com.docker.compose.project label's value. */
  project: c.string
})
export type ProjectParams = Decoded<typeof projectParams>

export const projectResult = struct({
  /** One per container of the project, in the order the action reached them. */
  results: array(struct({ id: c.string, name: c.string, ok: c.bool, error: optional(c.string) }))
})
export type ProjectResult = Decoded<typeof projectResult>

const byProject = {
  mutating: true,
  target: (p: ProjectParams) => p.project,
  failure: (r: ProjectResult) => {
    const failed = r.results.filter((x) => !x.ok)
    return failed.length ? `${failed.length} of ${r.results.length} failed: ${failed.map((x) => `${x.name}: ${x.error ?? ''}`).join('; ')}`.slice(0, 500) : null
  }
}

export const deployCalls = {
  'containers.create': unary('admin', runSpec, createResult, {
    mutating: true,
    target: (p: RunSpec) => `${p.name || '(unnamed)'} from ${p.image}`.slice(0, 200),
    // Refused with field errors, or created but not started: the log says so, not "ok".
    failure: (r: CreateResult) =>
      !r.ok ? `refused: ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`.slice(0, 500) : r.startError ? `created ${r.name}, start failed: ${r.startError}`.slice(0, 500) : null
  }),
  /** The RunSpec that would make this container again, named <name>-copy. */
  'containers.config': unary('admin', containerRef, runSpec),
  'projects.start': unary('admin', projectParams, projectResult, byProject),
  'projects.stop': unary('admin', projectParams, projectResult, byProject),
  'projects.restart': unary('admin', projectParams, projectResult, byProject)
} as const
