import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_JOB_BACKOFF_MS, jobBackoffFromEnv, jobBackoffMs } from '../../controller/job-backoff.ts'
import { jobRetries, retriesAfter } from '../../controller/job-retries.ts'
import { LastLines, TAIL_MAX_BYTES, TAIL_MAX_LINES } from '../../controller/last-lines.ts'
import { buildLocalLaunch } from '../../controller/local-launch.ts'
import { jobExperiment } from '../helpers/job-experiment.ts'
import { quadraticExperiment } from '../helpers/experiment-yaml.ts'

const job = (spec: Record<string, unknown>, restartPolicy = 'Never') => ({
  apiVersion: 'batch/v1', kind: 'Job',
  spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: 'training', command: ['x'] }] } } },
})
const pytorch = (restartPolicy: string | undefined, runPolicy?: Record<string, unknown>) => ({
  apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob',
  spec: {
    ...(runPolicy ? { runPolicy } : {}),
    pytorchReplicaSpecs: {
      Master: { replicas: 1, ...(restartPolicy ? { restartPolicy } : {}), template: { spec: { containers: [{ name: 'pytorch', command: ['x'] }] } } },
    },
  },
})
const error = (exitCode: number) => ({ phase: 'failed' as const, reason: 'Error', message: `exited with code ${exitCode}`, exitCode })

test('a Job retries up to its backoffLimit, 6 by default, under restartPolicy Never and OnFailure alike', () => {
  assert.deepEqual(jobRetries(job({}), 'training'), { limit: 6, on: 'any', source: "backoffLimit 6 (the Job's default)" })
  assert.equal(jobRetries(job({ backoffLimit: 2 }, 'OnFailure'), 'training')?.limit, 2)
  assert.equal(jobRetries(job({ backoffLimit: 0 }), 'training')?.limit, 0)
  // A negative or non-integer limit is no limit Kubernetes would accept: the default stands.
  assert.equal(jobRetries(job({ backoffLimit: -1 }), 'training')?.limit, 6)
})

test('a training job retries only with runPolicy.backoffLimit and a restarting replica; anything else never', () => {
  assert.deepEqual(jobRetries(pytorch('OnFailure', { backoffLimit: 3 }), 'pytorch'), { limit: 3, on: 'any', source: 'runPolicy.backoffLimit 3' })
  assert.equal(jobRetries(pytorch('ExitCode', { backoffLimit: 3 }), 'pytorch')?.on, 'retryable')
  assert.equal(jobRetries(pytorch('Never', { backoffLimit: 3 }), 'pytorch'), undefined)
  // The operator restarts for ever without a limit: locally that is no retry at all.
  assert.equal(jobRetries(pytorch('OnFailure'), 'pytorch'), undefined)
  assert.equal(jobRetries(pytorch('OnFailure', { backoffLimit: 3 }), 'other-container'), undefined)
  assert.equal(jobRetries({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: {} }, 'main'), undefined)
})

test('which failures are retried: a program that ran and failed, while retries are left; ExitCode only 128 and above', () => {
  const any = { limit: 2, on: 'any' as const, source: 'backoffLimit 2' }
  assert.equal(retriesAfter(any, error(1), 1), true)
  assert.equal(retriesAfter(any, error(1), 2), true)
  assert.equal(retriesAfter(any, error(1), 3), false, 'three failures with backoffLimit 2: done')
  assert.equal(retriesAfter(any, { phase: 'failed', reason: 'Signal', message: 'SIGKILL' }, 1), true)
  assert.equal(retriesAfter(any, { phase: 'failed', reason: 'CommandNotFound', message: 'x' }, 1), false)
  assert.equal(retriesAfter(any, { phase: 'failed', reason: 'DeadlineExceeded', message: 'x' }, 1), false)
  assert.equal(retriesAfter(undefined, error(1), 1), false)
  const exitCode = { ...any, on: 'retryable' as const }
  assert.equal(retriesAfter(exitCode, error(1), 1), false)
  assert.equal(retriesAfter(exitCode, error(137), 1), true)
})

test('the local form never retries; a Job trialSpec carries its retries into the launch', () => {
  const ctx = { baseDir: '/tmp', runDir: '/tmp/runs', env: {} }
  const trial = { name: 't-1', params: { x: 0.1, y: 0.2, lr: 0.05 } }
  assert.equal(buildLocalLaunch(quadraticExperiment({ name: 'short' }), trial, ctx).retries, undefined)
  const limited = jobExperiment({ name: 'j', maxTrials: 1, parallel: 1, image: 'node', command: ['node', 'x.js'], backoffLimit: 4, restartPolicy: 'OnFailure' })
  assert.equal(buildLocalLaunch(limited, trial, ctx).retries?.limit, 4)
})

test('the back-off doubles from its first wait up to 36 times it (Kubernetes: 10 s to 6 min); the setting is read strictly', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => jobBackoffMs(n, 1000)), [1000, 2000, 4000, 8000, 16000, 32000, 36000, 36000])
  assert.deepEqual([1, 6, 7].map((n) => jobBackoffMs(n, 10_000)), [10_000, 320_000, 360_000])
  assert.equal(jobBackoffFromEnv({}), DEFAULT_JOB_BACKOFF_MS)
  assert.equal(jobBackoffFromEnv({ TUNEWELL_JOB_BACKOFF_SECONDS: '0.05' }), 50)
  assert.equal(jobBackoffFromEnv({ TUNEWELL_JOB_BACKOFF_SECONDS: '0' }), 0)
  assert.throws(() => jobBackoffFromEnv({ TUNEWELL_JOB_BACKOFF_SECONDS: '-1' }), /TUNEWELL_JOB_BACKOFF_SECONDS must be a number of seconds/)
  assert.throws(() => jobBackoffFromEnv({ TUNEWELL_JOB_BACKOFF_SECONDS: '10s' }), /got "10s"/)
})

test('the last lines stay within 80 lines and 2048 bytes, cut at a character, the newest kept', () => {
  const tail = new LastLines()
  assert.equal(tail.empty, true)
  for (let i = 1; i <= 200; i++) tail.push(`line ${i}`)
  const lines = tail.text().split('\n')
  assert.equal(lines.length, TAIL_MAX_LINES)
  assert.equal(lines.at(-1), 'line 200')
  const wide = new LastLines()
  for (let i = 0; i < 10; i++) wide.push(`${i}:${'é'.repeat(300)}`)
  assert.ok(Buffer.byteLength(wide.text()) + 1 <= TAIL_MAX_BYTES)
  assert.match(wide.text(), /9:é+$/)
  const huge = new LastLines()
  huge.push('x'.repeat(5000) + 'é'.repeat(2000) + 'ENDS')
  assert.ok(Buffer.byteLength(huge.text()) < TAIL_MAX_BYTES)
  assert.match(huge.text(), /^é+ENDS$/, 'the start of a cut line is a whole character')
})
