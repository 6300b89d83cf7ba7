import type { Kysely } from 'kysely'

/**
 * Trial lineage for multi-fidelity algorithms (hyperband promotions, pbt's exploit step): a trial
 * that continues another one names it, and the runner copies the parent's checkpoint directory
 * into the child's before launching it (controller/checkpoint-dir.ts).
 *
 * - `parent_trial_name`: the trial this one continues; null for a fresh start. By name, as
 *   algorithms, the API and trial folders know trials; names are unique and never change. A
 *   trial of the same experiment, so it goes when the experiment goes (`set null` only matters
 *   for hand deletes).
 * - `generation`: 0 for a fresh start, the parent's + 1 otherwise; stored rather than walked up
 *   the chain, so the API and the dashboard show it without recursive queries.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('trials')
    .addColumn('parent_trial_name', 'text', (c) => c.references('trials.name').onDelete('set null'))
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('trials').dropColumn('generation').dropColumn('parent_trial_name').execute()
}
