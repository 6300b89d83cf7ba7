import { sql, type Kysely } from 'kysely'

/**
 * Metric values that are not numbers, such as the genotype a DARTS trial reports
 * (`Best-Genotype=Genotype(normal=[...],...)`; docs/nas.md, DARTS).
 *
 * `observations.text_value`: the value as reported when it is not a number. Such a row keeps
 * `value` NaN (the column stays not null, so every numeric reader that already skips non-finite
 * values skips it too) and numeric readers that keep NaN (curves, charts) skip rows with a text.
 *
 * `trials.text_metrics`: per metric that was reported only as text, its latest text (Katib's
 * `latest`; min and max have no meaning for text), filled when the trial completes as `metrics`
 * is for numbers. A text objective lives there: `objective` stays null.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table observations add column text_value text`.execute(db)
  await sql`alter table trials add column text_metrics jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table trials drop column text_metrics`.execute(db)
  await sql`alter table observations drop column text_value`.execute(db)
}
