import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { buildApp } from '../../api/app.ts'
import type { Store } from '../../db/store.ts'
import { experimentCrd } from '../../scripts/crd/experiment-crd.ts'
import { validateKubernetesObject } from './kubernetes-model.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * `kubectl kustomize` over deploy/ and its PostgreSQL overlay: every rendered object must be
 * valid by Kubernetes' own schemas (kubernetes-models), and the deployment must keep the
 * properties docs/kubernetes.md promises (non-root, probes on real routes, two replicas, RBAC
 * without wildcards, everything in one namespace).
 */
const root = fileURLToPath(new URL('../../', import.meta.url))
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' })
const skip = kubectl.error ? `kubectl is not installed (${kubectl.error.message}); it renders deploy/ with kustomize` : false

interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  [field: string]: unknown
}

function render(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { cwd: root, encoding: 'utf8' })
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject).filter((o) => o !== null)
}

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'])
// Rendered objects are deep, loosely typed Kubernetes shapes; the assertions are the checks.
type Any = any

function only(objects: readonly K8sObject[], kind: string, name?: string): Any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name))
  assert.equal(found.length, 1, `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`)
  return found[0]
}

function checkCommon(objects: readonly K8sObject[]): void {
  for (const object of objects) {
    assert.doesNotThrow(() => validateKubernetesObject(object), `${object.kind} ${object.metadata?.name}`)
  }
  const namespace = only(objects, 'Namespace').metadata.name
  for (const object of objects) {
    if (CLUSTER_SCOPED.has(object.kind)) assert.equal(object.metadata.namespace, undefined, `${object.kind} ${object.metadata.name}`)
    else assert.equal(object.metadata.namespace, namespace, `${object.kind} ${object.metadata.name} is in namespace ${namespace}`)
    assert.equal(object.metadata.labels?.['app.kubernetes.io/part-of'], 'tunewell', `${object.kind} ${object.metadata.name} is labelled`)
  }

  // The CRD applied is the generated one.
  assert.deepEqual(only(objects, 'CustomResourceDefinition').spec, experimentCrd().spec)

  const deployment = only(objects, 'Deployment', 'tunewell')
  assert.equal(deployment.spec.replicas, 2)
  const pod = deployment.spec.template.spec
  assert.deepEqual(deployment.spec.selector.matchLabels, pickLabels(deployment.spec.template.metadata.labels, deployment.spec.selector.matchLabels))
  assert.equal(pod.securityContext.runAsNonRoot, true)
  assert.ok(pod.securityContext.runAsUser > 0)
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
  assert.equal(pod.serviceAccountName, only(objects, 'ServiceAccount').metadata.name)
  const [container] = pod.containers
  assert.equal(pod.containers.length, 1)
  assert.equal(container.securityContext.allowPrivilegeEscalation, false)
  assert.equal(container.securityContext.readOnlyRootFilesystem, true)
  assert.deepEqual(container.securityContext.capabilities.drop, ['ALL'])
  const http = container.ports.find((p: Any) => p.name === 'http')
  assert.equal(container.livenessProbe.httpGet.path, '/healthz')
  assert.equal(container.readinessProbe.httpGet.path, '/readyz')
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) assert.equal(probe.httpGet.port, 'http')
  assert.equal(container.env.find((e: Any) => e.name === 'TUNEWELL_PORT').value, String(http.containerPort))
  assert.equal(container.env.find((e: Any) => e.name === 'TUNEWELL_HOST').value, '0.0.0.0')

  // The Secret provides what serve needs beyond loopback: the database and a token.
  const secretName = container.envFrom[0].secretRef.name
  const secret = only(objects, 'Secret', secretName)
  assert.ok(secret.stringData.DATABASE_URL.startsWith('postgres://'))
  assert.ok(secret.stringData.TUNEWELL_TOKEN.length >= 16)

  const service = only(objects, 'Service', 'tunewell')
  assert.deepEqual(service.spec.selector, pickLabels(deployment.spec.template.metadata.labels, service.spec.selector))
  assert.equal(service.spec.ports[0].targetPort, 'http')
  // The Service's in-cluster names are hosts the server answers.
  const allowed = container.env.find((e: Any) => e.name === 'TUNEWELL_ALLOWED_HOSTS').value.split(',')
  assert.ok(allowed.includes(`${service.metadata.name}.${namespace}.svc`), `TUNEWELL_ALLOWED_HOSTS names the Service: ${allowed}`)

  // Trials on the cluster push their metrics to the Service's push port, which the server listens on.
  const push = container.ports.find((p: Any) => p.name === 'push')
  const pushPort = service.spec.ports.find((p: Any) => p.name === 'push')
  assert.equal(pushPort.targetPort, 'push')
  const reportUrl = new URL(container.env.find((e: Any) => e.name === 'TUNEWELL_REPORT_URL').value)
  assert.equal(reportUrl.hostname, `${service.metadata.name}.${namespace}.svc`)
  assert.equal(Number(reportUrl.port), pushPort.port)
  assert.notEqual(push.containerPort, http.containerPort)
  assert.equal(Number(reportUrl.port), push.containerPort, 'the server listens on the port of its --report-url')
  // Each replica's own push address, where the other forwards pushes for its trials (controller/push-hub.ts).
  assert.equal(container.env.find((e: Any) => e.name === 'POD_IP')?.valueFrom?.fieldRef?.fieldPath, 'status.podIP')
  // Katib's SDK: the server serves its DBManager gRPC API on the Service's katib-grpc port (Katib's
  // 6789), which each Push trial's grpc_proxy names at the report URL's host.
  const katibPort = service.spec.ports.find((p: Any) => p.name === 'katib-grpc')
  assert.equal(katibPort.port, 6789)
  assert.equal(katibPort.targetPort, 'katib-grpc')
  assert.equal(container.ports.find((p: Any) => p.name === 'katib-grpc').containerPort, Number(container.env.find((e: Any) => e.name === 'TUNEWELL_KATIB_GRPC_PORT').value))
  assert.equal(katibPort.port, Number(container.env.find((e: Any) => e.name === 'TUNEWELL_KATIB_GRPC_PORT').value), 'trials dial the report URL\'s host at the port the server listens on')
  // The collector sidecar runs the server's own image.
  assert.equal(container.env.find((e: Any) => e.name === 'TUNEWELL_COLLECTOR_IMAGE').value, container.image)

  // RBAC: no wildcards, nothing that writes what the server only reads; Secrets written (the trials' push tokens), never read.
  const role = only(objects, 'ClusterRole', 'tunewell')
  for (const rule of role.rules) {
    for (const list of [rule.verbs, rule.resources, rule.apiGroups]) assert.ok(!list.includes('*'), JSON.stringify(rule))
    assert.equal(rule.nonResourceURLs, undefined)
    if (rule.resources.includes('secrets')) assert.deepEqual([...rule.verbs].sort(), ['create', 'delete', 'patch'], 'the server reads no Secrets through the API')
  }
  const verbsOf = (group: string, resource: string) => new Set(role.rules.filter((r: Any) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r: Any) => r.verbs))
  assert.deepEqual([...verbsOf('kubeflow.org', 'experiments/status')].sort(), ['get', 'patch', 'update'])
  assert.ok(verbsOf('batch', 'jobs').has('create') && verbsOf('batch', 'jobs').has('watch'))
  assert.deepEqual([...verbsOf('', 'pods')].sort(), ['get', 'list', 'watch'])
  assert.deepEqual([...verbsOf('', 'pods/log')], ['get'])
  assert.deepEqual([...verbsOf('', 'configmaps')], ['get'])
  const binding = only(objects, 'ClusterRoleBinding', 'tunewell')
  assert.equal(binding.roleRef.name, role.metadata.name)
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace }])
}

function pickLabels(labels: Record<string, string>, keys: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(keys).map((k) => [k, labels[k]!]))
}

describe('deploy/ (kustomize)', { skip }, () => {
  test('kubectl kustomize deploy/ renders valid objects for the install docs/kubernetes.md describes', () => {
    const objects = render('deploy')
    assert.deepEqual(objects.map((o) => o.kind).sort(),
      ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Namespace', 'Secret', 'Service', 'ServiceAccount'])
    checkCommon(objects)
  })

  test('the with-postgres overlay adds a single-node PostgreSQL that the server is pointed at', () => {
    const objects = render('deploy/overlays/with-postgres')
    checkCommon(objects)
    const postgres = only(objects, 'StatefulSet', 'tunewell-postgres')
    assert.equal(postgres.spec.replicas, 1)
    const pod = postgres.spec.template.spec
    assert.equal(pod.securityContext.runAsNonRoot, true)
    assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false)
    const service = only(objects, 'Service', postgres.spec.serviceName)
    assert.deepEqual(service.spec.selector, pickLabels(postgres.spec.template.metadata.labels, service.spec.selector))
    // One Secret holds the password PostgreSQL is created with and the URL the server uses.
    const secret = only(objects, 'Secret', 'tunewell')
    const password = pod.containers[0].env.find((e: Any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef
    assert.equal(password.name, 'tunewell')
    const url = new URL(secret.stringData.DATABASE_URL)
    assert.equal(url.hostname, service.metadata.name)
    assert.equal(decodeURIComponent(url.password), secret.stringData[password.key])
    assert.equal(url.pathname, `/${pod.containers[0].env.find((e: Any) => e.name === 'POSTGRES_DB').value}`)
    assert.ok(secret.stringData.TUNEWELL_TOKEN, 'the base Secret\'s token survives the overlay\'s patch')
  })
})

describe('deploy/katib-db-manager (kustomize)', { skip }, () => {
  test('the name Katib\'s SDK dials, katib-db-manager.kubeflow:6789, is an alias of the tunewell Service, whose port 6789 serves Katib\'s gRPC API', () => {
    const objects = render('deploy/katib-db-manager')
    for (const object of objects) assert.doesNotThrow(() => validateKubernetesObject(object), `${object.kind} ${object.metadata?.name}`)
    // Only the alias: never the kubeflow Namespace, which `kubectl delete -k` would then delete.
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ['Service kubeflow/katib-db-manager'])
    const alias = only(objects, 'Service', 'katib-db-manager') as Any
    assert.equal(alias.spec.type, 'ExternalName')
    const installed = render('deploy')
    const service = only(installed, 'Service', 'tunewell')
    assert.equal(alias.spec.externalName, `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`)
    assert.deepEqual(alias.spec.ports.map((p: Any) => p.port), [6789])
    assert.ok(service.spec.ports.some((p: Any) => p.port === 6789 && p.name === 'katib-grpc'))
  })
})

describe('what the manifests rely on in the server', () => {
  test('the probe paths are routes that answer without a token, addressed by the pod IP as kubelet does', async () => {
    // Only /readyz touches the store: a stub that reports a migrated PostgreSQL.
    const store = { backend: 'postgres', pendingMigrations: async () => [] } as unknown as Store
    const app = await buildApp({ store, listenHost: '0.0.0.0', tokens: [{ token: 'a-token-of-sixteen-chars', role: 'admin' }] as Any })
    try {
      for (const url of ['/healthz', '/readyz']) {
        const response = await app.inject({ method: 'GET', url, headers: { host: '10.1.2.3:8080' } })
        assert.equal(response.statusCode, 200, `${url}: ${response.body}`)
      }
    } finally {
      await app.close()
    }
  })

  // Driven through the real CLI: commander must accept every option, and serve's own checks
  // (--watch-experiments needs the kubernetes executor, the report URL, a token beyond loopback)
  // must pass, so that the only failure left is the cluster it cannot reach here (exit 3).
  test('serve accepts the arguments and the environment the Deployment and the image give it', { skip }, async () => {
    const deployment = only(render('deploy'), 'Deployment', 'tunewell')
    const container = deployment.spec.template.spec.containers[0]
    const dockerfile = readFileSync(new URL('../../deploy/Dockerfile', import.meta.url), 'utf8')
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[]
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'tunewell-deploy-args-'))
    try {
      const kubeconfig = join(dir, 'kubeconfig')
      writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: nowhere
contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody, namespace: tunewell } }]
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: nobody, user: { token: x } }]
`)
      const literal = Object.fromEntries((container.env as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]))
      // The Secret's variables: a token (listening beyond loopback needs one); the database is never reached.
      const env = { PATH: process.env.PATH, HOME: dir, ...literal, TUNEWELL_TOKEN: 'a-token-of-at-least-sixteen-chars', KUBECONFIG: kubeconfig }
      for (const args of [container.args as string[], cmd]) {
        const result = spawnSync(process.execPath, ['cli/bin.mjs', ...args.map((a) => (a === '/var/lib/tunewell' ? dir : a))], { cwd: root, env, encoding: 'utf8' })
        assert.equal(result.status, 3, `serve ${args.join(' ')}: ${result.stderr}`)
        assert.match(result.stderr, new RegExp(`^error: the Kubernetes API server https://127\\.0\\.0\\.1:${port} \\(context "nowhere"\\) does not answer`), args.join(' '))
      }
      assert.ok(container.args.includes('--watch-experiments'), 'the Deployment runs operator mode')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the Dockerfile builds from the packed package, installs production dependencies only, and runs as non-root', () => {
    const dockerfile = readFileSync(new URL('../../deploy/Dockerfile', import.meta.url), 'utf8')
    const stages = dockerfile.split(/^FROM /m).slice(1)
    assert.ok(stages.length >= 2, 'multi-stage')
    for (const stage of stages) assert.match(stage, /^node:24-/, 'Node 24 LTS base image')
    const final = stages.at(-1)!
    assert.match(stages[0]!, /npm pack/)
    assert.match(final, /npm ci --omit=dev/)
    assert.match(final, /^USER (?!0\b|root\b)\S+/m)
    assert.match(final, /^ENTRYPOINT \["tunewell"\]/m)
    assert.match(final, /^CMD \["serve", "--executor", "kubernetes"/m)
  })
})
