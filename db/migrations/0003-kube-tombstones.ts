import { sql, type Kysely } from 'kysely'

/**
 * `kube_tombstones`: what a Kubernetes watch needs to say DELETED once an experiment is gone.
 * Deleting an experiment cascades to its trials and its events, so nothing of it would be left
 * for a watch to read. A trigger (not the delete operations) writes the tombstone, so every way
 * of deleting (REST API, CLI, kubectl, another process on the same database) leaves one, in the
 * delete's own transaction: it commits or rolls back with it.
 *
 * The id is drawn from the events' sequence, so tombstones and events share one order and a
 * watch reads both as one stream (db/kysely/kysely-tombstone-store.ts); it is the DELETED
 * object's resourceVersion. The experiment row and its trials' rows are kept as they were, so
 * the DELETED objects carry their last state as a Kubernetes server sends it; `spec_changes`
 * keeps what their metadata.generation was made of (EventStore.experimentVersions).
 *
 * Tombstones are kept for the watch window only (TombstoneStore.prune); `kube_watch_horizon`
 * remembers the highest id pruned: a watch from a resourceVersion below it may have missed a
 * deletion and is answered 410 Expired, as a server answers after compaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table kube_tombstones (
    id bigint primary key,
    experiment_id text not null,
    name text not null,
    experiment jsonb not null,
    trials jsonb not null,
    spec_changes integer not null,
    deleted_at timestamptz not null default now()
  )`.execute(db)
  await sql`create index kube_tombstones_deleted_at_idx on kube_tombstones (deleted_at)`.execute(db)
  await sql`create table kube_watch_horizon (
    id smallint primary key check (id = 1),
    compacted_through bigint not null
  )`.execute(db)
  await sql`insert into kube_watch_horizon (id, compacted_through) values (1, 0)`.execute(db)
  // BEFORE DELETE: the cascade to trials runs after the row is gone, so they are still there.
  // Trials lose their executor handle (it means nothing once they are gone, and can be large).
  await sql`create function record_kube_tombstone() returns trigger language plpgsql as $$
  begin
    insert into kube_tombstones (id, experiment_id, name, experiment, trials, spec_changes)
    values (
      nextval(pg_get_serial_sequence('events', 'id')),
      old.id,
      old.name,
      to_jsonb(old),
      coalesce((select jsonb_agg(to_jsonb(t) - 'execution' order by t.number) from trials t where t.experiment_id = old.id), '[]'::jsonb),
      (select count(*) from events e where e.experiment_id = old.id and e.type = 'experiment:updated')
    );
    -- A backstop for a server no watch ever reads (the watch hub prunes to its window, 10
    -- minutes by default): tombstones carry whole trial lists, so none outlives an hour. The
    -- horizon row is only locked when something is pruned, so deletes do not queue on it.
    with pruned as (
      delete from kube_tombstones where deleted_at < now() - interval '1 hour' returning id
    )
    update kube_watch_horizon set compacted_through = greatest(compacted_through, (select max(id) from pruned))
    where id = 1 and exists (select 1 from pruned);
    return old;
  end $$`.execute(db)
  await sql`create trigger experiments_kube_tombstone before delete on experiments
    for each row execute function record_kube_tombstone()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger experiments_kube_tombstone on experiments`.execute(db)
  await sql`drop function record_kube_tombstone()`.execute(db)
  await sql`drop table kube_watch_horizon`.execute(db)
  await sql`drop table kube_tombstones`.execute(db)
}
