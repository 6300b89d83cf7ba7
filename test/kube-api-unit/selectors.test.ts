import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { KubeError } from '../../api/kube/kube-status.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../api/kube/selectors.ts'

const labels = { 'katib.kubeflow.org/experiment': 'mnist', tier: 'gpu', size: '8' }
const matches = (selector: string, on: Record<string, string> | undefined = labels) => matchesLabels(parseLabelSelector(selector), on)

/** The Status a malformed selector answers: 400 BadRequest, and its message. */
function rejected(parse: () => unknown): string {
  try {
    parse()
  } catch (error) {
    assert.ok(error instanceof KubeError, `not a KubeError: ${String(error)}`)
    assert.equal(error.status.code, 400)
    assert.equal(error.status.reason, 'BadRequest')
    return error.status.message!
  }
  assert.fail('the selector was accepted')
}

describe('label selectors (Kubernetes grammar)', () => {
  test('an empty or absent selector matches everything, also objects without labels', () => {
    for (const text of [undefined, null, '', '  ']) assert.ok(matchesLabels(parseLabelSelector(text), undefined))
  })

  test('equality, inequality and existence', () => {
    assert.ok(matches('katib.kubeflow.org/experiment=mnist'))
    assert.ok(matches('katib.kubeflow.org/experiment==mnist'))
    assert.ok(!matches('katib.kubeflow.org/experiment=other'))
    assert.ok(matches('tier!=cpu'))
    assert.ok(!matches('tier!=gpu'))
    assert.ok(matches('tier'))
    assert.ok(!matches('zone'))
    assert.ok(matches('!zone'))
    assert.ok(!matches('!tier'))
  })

  test('!= and notin also match an object without the label, as Kubernetes does', () => {
    assert.ok(matches('zone!=a'))
    assert.ok(matches('zone notin (a,b)'))
    assert.ok(!matches('zone in (a,b)'))
    assert.ok(!matches('zone=a', undefined))
  })

  test('set-based requirements, whitespace and commas between requirements', () => {
    assert.ok(matches('tier in (cpu, gpu)'))
    assert.ok(!matches('tier notin (cpu,gpu)'))
    assert.ok(matches(' tier in (gpu) , katib.kubeflow.org/experiment = mnist '))
    assert.ok(!matches('tier in (gpu),katib.kubeflow.org/experiment=other'))
  })

  test('gt and lt compare integers and never match a missing or non-integer label', () => {
    assert.ok(matches('size>4'))
    assert.ok(!matches('size<4'))
    assert.ok(!matches('zone>1'))
    assert.ok(!matches('tier>1'))
  })

  test('an empty value matches an empty label', () => {
    assert.ok(matches('blank=', { blank: '' }))
    assert.ok(!matches('blank=', { blank: 'x' }))
  })

  test('syntax errors are 400 BadRequest with the message a Kubernetes API server gives', () => {
    assert.match(rejected(() => parseLabelSelector('tier gpu')), /^unable to parse requirement: found 'gpu', expected: in, notin, =, ==, !=, gt, lt$/)
    assert.match(rejected(() => parseLabelSelector('tier=gpu,')), /^found '', expected: identifier after ','$/)
    assert.match(rejected(() => parseLabelSelector('tier in gpu')), /expected: '\('/)
    assert.match(rejected(() => parseLabelSelector('=gpu')), /^found '=', expected: !, identifier, or 'end of string'$/)
    assert.equal(rejected(() => parseLabelSelector('!tier=gpu')), "found '=', expected: ',' or 'end of string'")
    assert.match(rejected(() => parseLabelSelector('size>big')), /for 'Gt', 'Lt' operators, the value must be an integer/)
  })

  test('keys and values are checked like label keys and values', () => {
    assert.match(rejected(() => parseLabelSelector('-tier=gpu')), /key: Invalid value: "-tier": name part must consist of alphanumeric characters/)
    assert.match(rejected(() => parseLabelSelector('Bad_Prefix/x=1')), /prefix part a lowercase RFC 1123 subdomain/)
    assert.match(rejected(() => parseLabelSelector('tier=gpu-')), /values\[0\]\[tier\]: Invalid value: "gpu-": a valid label must be an empty string/)
    assert.match(rejected(() => parseLabelSelector(`tier=${'a'.repeat(64)}`)), /must be no more than 63 characters/)
  })
})

describe('field selectors', () => {
  const supported = ['metadata.name', 'metadata.namespace']
  const fields = { 'metadata.name': 'mnist', 'metadata.namespace': 'kubeflow' }

  test('=, == and != over the supported fields, comma-separated', () => {
    assert.ok(matchesFields(parseFieldSelector('metadata.name=mnist', supported), fields))
    assert.ok(matchesFields(parseFieldSelector('metadata.name==mnist,metadata.namespace!=default', supported), fields))
    assert.ok(!matchesFields(parseFieldSelector('metadata.name!=mnist', supported), fields))
    assert.ok(matchesFields(parseFieldSelector('', supported), fields))
  })

  test('a function can give the fields, and a missing field reads as empty', () => {
    const selector = parseFieldSelector('metadata.name=', (field) => field === 'metadata.name')
    assert.ok(matchesFields(selector, () => undefined))
    assert.ok(!matchesFields(selector, (field) => (field === 'metadata.name' ? 'x' : undefined)))
  })

  test('backslash escapes a comma or an equals sign in a value', () => {
    const selector = parseFieldSelector('metadata.name=a\\,b\\=c', supported)
    assert.deepEqual(selector, [{ field: 'metadata.name', operator: '=', value: 'a,b=c' }])
  })

  test('an unsupported field and an unparsable term are refused as a server refuses them', () => {
    assert.equal(rejected(() => parseFieldSelector('status.phase=Running', supported)), 'field label not supported: status.phase')
    assert.equal(rejected(() => parseFieldSelector('metadata.name', supported)), "invalid selector: 'metadata.name'; can't understand 'metadata.name'")
    assert.match(rejected(() => parseFieldSelector('metadata.name=a\\x', supported)), /invalid escape sequence/)
  })
})
