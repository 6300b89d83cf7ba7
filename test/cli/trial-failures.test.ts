import { test } from 'node:test'
import assert from 'node:assert/strict'
import { everyTrialFailed, formatTrialFailures } from '../../cli/trial-failures.ts'

const trial = (number: number, state: string, message: string | null = null) => ({ name: `t-${number}`, number, state: state as 'Failed', message })

test('no trial succeeded: a complaint naming the failed and the metric-less ones; any result, or no failure, is none', () => {
  assert.equal(everyTrialFailed([trial(0, 'Failed'), trial(1, 'MetricsUnavailable'), trial(2, 'Failed')]),
    'no trial succeeded (2 failed, 1 reported no objective metric of 3): the experiment has no result')
  assert.equal(everyTrialFailed([trial(0, 'Failed'), trial(1, 'Succeeded')]), undefined)
  assert.equal(everyTrialFailed([trial(0, 'Failed'), trial(1, 'EarlyStopped')]), undefined)
  assert.equal(everyTrialFailed([trial(0, 'Killed')]), undefined, 'killed by hand is no failure of the program')
  assert.equal(everyTrialFailed([]), undefined)
})

test('failures: the latest three, each headline with its last ten output lines indented, the rest counted', () => {
  const output = Array.from({ length: 14 }, (_, i) => `out ${i + 1}`).join('\n')
  const text = formatTrialFailures([
    trial(0, 'Failed', 'Job reason: Error. exited with code 1'),
    trial(1, 'Succeeded', 'trial succeeded'),
    trial(2, 'Failed', `Job reason: Error. exited with code 2\n${output}`),
    trial(3, 'MetricsUnavailable', 'objective metric "loss" was never reported'),
    trial(4, 'Failed', 'Job reason: Error. exited with code 4\nTraceback (most recent call last):'),
    trial(5, 'Failed', 'Job reason: Error. exited with code 5'),
  ])
  assert.equal(text, [
    't-5 Failed: Job reason: Error. exited with code 5',
    't-4 Failed: Job reason: Error. exited with code 4',
    '    | Traceback (most recent call last):',
    't-3 MetricsUnavailable: objective metric "loss" was never reported',
    '… and 2 more failed trial(s); each one\'s whole output is in its log',
  ].join('\n'))
  const long = formatTrialFailures([trial(2, 'Failed', `Job reason: Error. exited with code 2\n${output}`)])
  assert.match(long, /^t-2 Failed: Job reason: Error\. exited with code 2\n {4}… 4 lines before\n {4}\| out 5\n[\s\S]* {4}\| out 14$/)
  assert.equal(formatTrialFailures([trial(1, 'Succeeded', 'trial succeeded')]), '')
})
