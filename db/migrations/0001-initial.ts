import { sql, type Kysely } from 'kysely'

// NOTE: migrations are frozen history, so the state lists are spelled out here instead of being
// imported from core/: adding a state later means a new migration that replaces the CHECK.
const TRIAL_STATES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Killed', 'EarlyStopped', 'MetricsUnavailable']
const EXPERIMENT_STATES = ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed']

const oneOf = (column: string, values: readonly string[]) =>
  sql`${sql.ref(column)} in (${sql.join(values.map((v) => sql.lit(v)))})`

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('message', 'text')
    .addColumn('seed', 'bigint', (c) => c.notNull())
    .addColumn('best_trial_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addCheckConstraint('experiments_state_check', oneOf('state', EXPERIMENT_STATES))
    .execute()

  await db.schema
    .createTable('trials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('objective', 'double precision')
    .addColumn('metrics', 'jsonb')
    .addColumn('reason', 'text')
    .addColumn('message', 'text')
    .addColumn('execution', 'jsonb')
    .addColumn('restarts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    // Also serves "trials of an experiment ordered by number".
    .addUniqueConstraint('trials_experiment_id_number_key', ['experiment_id', 'number'])
    .addCheckConstraint('trials_state_check', oneOf('state', TRIAL_STATES))
    .execute()
  // The controller's hot query: "running/pending trials of experiment X".
  await db.schema.createIndex('trials_experiment_id_state_idx').on('trials').columns(['experiment_id', 'state']).execute()

  await db.schema
    .alterTable('experiments')
    .addForeignKeyConstraint('experiments_best_trial_id_fkey', ['best_trial_id'], 'trials', ['id'], (c) =>
      c.onDelete('set null'),
    )
    .execute()

  // experiment_id is copied from the trial on append: pruners and the dashboard read one metric
  // across all trials of an experiment, and countForExperiment counts them; with the
  // (experiment_id, metric_name) index those are index scans instead of a join through trials.
  await db.schema
    .createTable('observations')
    .addColumn('trial_id', 'text', (c) => c.notNull().references('trials.id').onDelete('cascade'))
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('metric_name', 'text', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('observations_pkey', ['trial_id', 'metric_name', 'step'])
    .execute()
  await db.schema
    .createIndex('observations_experiment_id_metric_name_idx')
    .on('observations')
    .columns(['experiment_id', 'metric_name'])
    .execute()

  await db.schema
    .createTable('algorithm_states')
    .addColumn('experiment_id', 'text', (c) => c.primaryKey().references('experiments.id').onDelete('cascade'))
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
    .addColumn('trial_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('events_experiment_id_id_idx').on('events').columns(['experiment_id', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').execute()
  await db.schema.dropTable('algorithm_states').execute()
  await db.schema.dropTable('observations').execute()
  await db.schema.alterTable('experiments').dropConstraint('experiments_best_trial_id_fkey').execute()
  await db.schema.dropTable('trials').execute()
  await db.schema.dropTable('experiments').execute()
}
