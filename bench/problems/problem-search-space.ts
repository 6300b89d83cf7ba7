import type { Parameter, SearchSpace } from '../../core/search-space.ts'
import type { Problem, ProblemParam } from './problem.ts'

/**
 * The SearchSpace an experiment with these parameters would get from `toSearchSpace`: `log`
 * becomes a logUniform distribution, steps are kept, categorical choices stay strings.
 */
export function problemSearchSpace(problem: Pick<Problem, 'params'>): SearchSpace {
  return problem.params.map(toParameter)
}

function toParameter(p: ProblemParam): Parameter {
  if (p.type === 'categorical') return { name: p.name, type: 'categorical', choices: [...p.choices] }
  return {
    name: p.name,
    type: p.type,
    min: p.low,
    max: p.high,
    ...(p.step === undefined ? {} : { step: p.step }),
    distribution: p.log ? 'logUniform' : 'uniform',
  }
}
