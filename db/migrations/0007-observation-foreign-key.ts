import { sql, type Kysely } from 'kysely'

/**
 * Observations keep one foreign key, to their trial. The one to the experiment was redundant:
 * experiment_id is copied from the trial on every insert, and deleting an experiment reaches
 * its observations through its trials' cascade. Its check cost a lock of the experiment row per
 * inserted point (the same row for every point of every trial), the dearest step of an ingest
 * or a tell.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table observations drop constraint observations_experiment_id_fkey`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table observations add constraint observations_experiment_id_fkey
    foreign key (experiment_id) references experiments (id) on delete cascade`.execute(db)
}
