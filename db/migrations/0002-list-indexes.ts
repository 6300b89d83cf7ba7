import type { Kysely } from 'kysely'

/**
 * Indexes for the API's keyset-paginated lists (db/kysely/page-trials.ts, page-experiments.ts).
 * Each matches one sort exactly (equality prefix, sort key, tie-breaker), so a page is an index
 * range scan of `limit` rows wherever it starts: page 1000 of a 100k-trial experiment costs
 * what page 1 does. Sorting by number needs none: trials_experiment_id_number_key serves it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Objective sort. Nulls are read as a separate range (objective IS NULL, by number), so one
  // ascending index serves both directions: descending is the same range scanned backwards.
  await db.schema
    .createIndex('trials_experiment_id_objective_number_idx')
    .on('trials')
    .columns(['experiment_id', 'objective', 'number'])
    .execute()
  await db.schema
    .createIndex('trials_experiment_id_created_at_number_idx')
    .on('trials')
    .columns(['experiment_id', 'created_at', 'number'])
    .execute()
  await db.schema.createIndex('experiments_created_at_name_idx').on('experiments').columns(['created_at', 'name']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('experiments_created_at_name_idx').execute()
  await db.schema.dropIndex('trials_experiment_id_created_at_number_idx').execute()
  await db.schema.dropIndex('trials_experiment_id_objective_number_idx').execute()
}
