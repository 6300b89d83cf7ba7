/**
 * The way in for a user's Experiment: YAML text (with positions), a JSON-like object, or a
 * file. Structure is checked first; defaults and Katib's rules then run on the parts that are
 * well-formed (all of a valid document), because they need their types, so one pass reports
 * every problem. Nothing here throws on bad input except loadExperimentFile, whose contract is to.
 */
import { readFile } from 'node:fs/promises'
import { LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml'
import { InvalidSpecError, type SpecIssue } from '../errors.ts'
import { applyDefaults } from './apply-defaults.ts'
import { checkStructure } from './check-structure.ts'
import { dropDefaultedEmptyStrings } from './drop-defaulted-empty-strings.ts'
import { dropRepeatedMetricNames } from './drop-repeated-metric-names.ts'
import type { Experiment } from './experiment-schema.ts'
import { issueAt } from './issue-at.ts'
import { objectNestingIssue, yamlNestingIssue } from './nesting-depth.ts'
import { normaliseFeasibleSpaceNumbers } from './normalise-feasible-space.ts'
import { normaliseObjectives } from './normalise-objectives.ts'
import { validateExperiment } from './validate-experiment.ts'
import { createLocator, type Locate, type Position } from './yaml-locator.ts'

export interface ParsedExperiment {
  /** Set only when there are no issues; Katib's defaults are applied. */
  readonly experiment?: Experiment
  /** Every issue carries line and col. */
  readonly issues: SpecIssue[]
  /** Accepted but probably wrong (see validate-experiment.ts); with line and col too. */
  readonly warnings: SpecIssue[]
  /** 1-based position of a path such as `/spec/parameters/0/feasibleSpace/min`, or of its closest existing ancestor. */
  locate(path: string): Position | undefined
  readonly file?: string
}

export function parseExperimentYaml(text: string, file?: string): ParsedExperiment {
  // Before the parser, which recurses per level and takes seconds on a runaway document.
  const tooDeep = yamlNestingIssue(text)
  if (tooDeep) return { issues: [tooDeep], warnings: [], locate: () => undefined, file }
  const lineCounter = new LineCounter()
  const documents: Document[] = parseAllDocuments(text, { lineCounter })
  const present = documents.filter((d) => !isEmpty(d))
  const locate = createLocator(present[0] ?? documents[0], lineCounter)
  const atStart = (document: Document): Position => lineCounter.linePos(document.range?.[0] ?? 0)
  const done = (issues: SpecIssue[], experiment?: Experiment, warnings: SpecIssue[] = []): ParsedExperiment => ({
    experiment,
    issues: sortByPosition(issues),
    warnings: sortByPosition(warnings),
    locate,
    file,
  })

  const syntax = documents.flatMap((d) => d.errors.map(syntaxIssue))
  if (syntax.length > 0) return done(syntax)
  if (present.length === 0) {
    return done([{ path: '', message: 'the document is empty; expected a Katib Experiment (apiVersion: kubeflow.org/v1beta1, kind: Experiment)', line: 1, col: 1 }])
  }
  if (present.length > 1) {
    return done([{ path: '', message: `found ${present.length} YAML documents; put exactly one Experiment in a file`, ...atStart(present[1]) }])
  }
  let raw: unknown
  try {
    raw = present[0].toJS()
  } catch (error) {
    return done([{ path: '', message: `the document cannot be read: ${(error as Error).message}`, ...atStart(present[0]) }])
  }
  const result = validateExperimentObject(raw)
  return done(result.issues.map((i) => positioned(locate, i)), result.experiment, result.warnings.map((i) => positioned(locate, i)))
}

/** For JSON (or otherwise already parsed) input: same checks and defaults, no positions. */
export function validateExperimentObject(obj: unknown): { experiment?: Experiment; issues: SpecIssue[]; warnings: SpecIssue[] } {
  const tooDeep = objectNestingIssue(obj)
  if (tooDeep) return { issues: [tooDeep], warnings: [] }
  let copy: unknown
  try {
    copy = structuredClone(obj)
  } catch (error) {
    return { issues: [{ path: '', message: `the experiment is not plain data (${(error as Error).message}); pass parsed JSON or YAML` }], warnings: [] }
  }
  normaliseFeasibleSpaceNumbers(copy)
  normaliseObjectives(copy)
  dropDefaultedEmptyStrings(copy)
  const repeated = dropRepeatedMetricNames(copy)
  const structure = checkStructure(copy)
  if (!structure.experiment) {
    // Katib's rules still check the well-formed parts: every problem of the file in one pass.
    if (!isRecord(copy)) return { issues: structure.issues, warnings: [] }
    const partial = validateExperiment(applyDefaults(copy as Experiment, structure.shape), structure.shape)
    return { issues: [...structure.issues, ...partial.issues], warnings: [...repeated, ...partial.warnings] }
  }
  const experiment = applyDefaults(structure.experiment)
  const { issues, warnings: rules } = validateExperiment(experiment)
  const warnings = [...repeated, ...rules]
  return issues.length > 0 ? { issues, warnings } : { experiment, issues, warnings }
}

export async function loadExperimentFile(path: string): Promise<Experiment> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new InvalidSpecError([{ path: '', message: `cannot read the file: ${(error as Error).message}` }], path)
  }
  const parsed = parseExperimentYaml(text, path)
  if (!parsed.experiment) throw new InvalidSpecError(parsed.issues, path)
  return parsed.experiment
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A stream like `---\nfoo: 1\n---\n` ends in a document with nothing in it, which is no document. */
function isEmpty(document: Document): boolean {
  const contents = document.contents as { value?: unknown; source?: string } | null
  return contents === null || (contents.value === null && contents.source === '')
}

function syntaxIssue(error: YAMLError): SpecIssue {
  // yaml's messages repeat the position and append a code excerpt; both are already in line/col.
  const message = error.message.replace(/ at line \d+, column \d+[\s\S]*$/, '')
  const position = error.linePos?.[0] ?? { line: 1, col: 1 }
  return { path: '', message: `YAML syntax error: ${message}`, line: position.line, col: position.col }
}

function positioned(locate: Locate, issue: SpecIssue): SpecIssue {
  return issueAt((path) => locate(path) ?? { line: 1, col: 1 }, issue.path, issue.message)
}

function sortByPosition(issues: SpecIssue[]): SpecIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0))
}
