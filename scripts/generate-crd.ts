/**
 * `npm run generate:crd`: writes deploy/base/crd-experiments.yaml from the Experiment schema.
 * Run it after changing core/spec/experiment-schema.ts or the status schema; test/deploy/crd.test.ts
 * fails until the committed file matches.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { experimentCrdYaml } from './crd/experiment-crd.ts'

const target = fileURLToPath(new URL('../deploy/base/crd-experiments.yaml', import.meta.url))
writeFileSync(target, experimentCrdYaml())
process.stdout.write(`wrote ${target}\n`)
