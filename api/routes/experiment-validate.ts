import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { AppOptions } from '../app-options.ts'
import { checkSubmission } from '../operations/check-submission.ts'
import { submittedDocument, YAML_TYPES } from '../plugins/content-types.ts'
import { errorResponses } from '../schemas/common.ts'
import { ExperimentDocumentSchema, ExperimentValidationSchema } from '../schemas/experiment.ts'

const yamlBody = Type.String({ description: 'the Experiment as YAML; problems are reported with line:col' })

/**
 * `POST /api/v1/experiments:validate`: what a submission of the same body would say, without
 * storing anything (the dashboard's editor checks as you type). A taken name is reported as an
 * issue at /metadata/name, where the submission would be 409.
 */
export const experimentValidateRoutes: FastifyPluginAsyncTypebox<AppOptions> = async (app, options) => {
  const { store } = options

  app.post('/api/v1/experiments::validate', {
    schema: {
      summary: 'Validate an experiment without submitting it',
      description: 'The same body and the same checks as `POST /api/v1/experiments`; always 200 with `valid`, every issue ' +
        '(with line:col for YAML) and the warnings. Nothing is stored.',
      tags: ['experiments'],
      body: {
        content: {
          'application/json': { schema: ExperimentDocumentSchema },
          ...Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: yamlBody }])),
        },
      },
      response: { 200: ExperimentValidationSchema, ...errorResponses },
    },
  }, async (request) => {
    const checked = checkSubmission(submittedDocument(request), options.admit)
    const issues = checked.issues.map((issue) => ({ ...issue }))
    if (checked.experiment) {
      const name = checked.experiment.metadata.name
      if (await store.experiments.getByName(name)) {
        issues.push({ path: '/metadata/name', message: `an experiment named "${name}" exists; choose another name or delete it first`, ...checked.locate('/metadata/name') })
      }
    }
    return {
      valid: issues.length === 0,
      issues: issues.map(toIssue),
      warnings: checked.warnings.map(toIssue),
    }
  })
}

function toIssue(issue: { path: string; message: string; line?: number; col?: number }) {
  return { path: issue.path, message: issue.message, ...(issue.line !== undefined ? { line: issue.line, col: issue.col ?? 1 } : {}) }
}
