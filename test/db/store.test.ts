import { openStore } from '../../db/open-store.ts'
import { openTestStore } from '../helpers/test-store.ts'
import { describeStoreConformance } from './store.conformance.ts'

describeStoreConformance('KyselyStore on in-memory PGlite', () => openStore({ memory: true }))

// Both backends run when DATABASE_URL is set (as in CI); otherwise the PostgreSQL case shows as skipped.
describeStoreConformance('KyselyStore on PostgreSQL', openTestStore, {
  skip: process.env.DATABASE_URL?.trim()
    ? false
    : 'DATABASE_URL is not set; set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run this suite on PostgreSQL',
})
