import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`

const SOURCE_KINDS = sql`'operational_debrief', 'employment_tribunal', 'health_and_safety', 'inspection', 'audit', 'scrutiny', 'complaint', 'high_profile_event', 'risk_assessment', 'peer_assessment', 'corporate_tasking', 'other'`
const STAGES = sql`'origin', 'challenge', 'accountability', 'platform', 'delivery', 'review', 'closed'`

/**
 * Learning logs: entries carried through the six stages of the organisational learning model
 * (seed 002), their trail (every move, owner change, link and note), the policy/SOP/process and
 * training/IT/role changes they produced, and their links to recommendations, programmes, cohorts
 * and other entries. References (OL-<year>-<nnnn>) come from a per-year counter row, so two
 * concurrent creates never draw the same number.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('learning_log_reference_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey().check(sql`year between 1900 and 9999`))
    .addColumn('last_number', 'integer', (c) => c.notNull().check(sql`last_number >= 0`))
    .execute()

  await db.schema
    .createTable('learning_log_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('reference', 'text', (c) => c.notNull().unique().check(sql`reference ~ '^OL-[0-9]{4}-[0-9]{4,}$'`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('lesson_identified', 'notable_practice')`))
    .addColumn('source_kind', 'text', (c) => c.notNull().check(sql`source_kind in (${SOURCE_KINDS})`))
    .addColumn('source_reference', 'text')
    .addColumn('event_date', 'date')
    .addColumn('org_unit_id', 'uuid', (c) => c.notNull().references('org_units.id'))
    .addColumn('identified_by_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('identified_on', 'date', (c) => c.notNull())
    .addColumn('dissemination', 'text', (c) => c.notNull().defaultTo('internal_unit').check(sql`dissemination in ('internal_unit', 'organisation', 'public')`))
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('origin').check(sql`stage in (${STAGES})`))
    .addColumn('stage_entered_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    // challenge
    .addColumn('challenge_decision', 'text', (c) => c.check(sql`challenge_decision in ('action_required', 'no_action', 'duplicate')`))
    .addColumn('action_by_org_unit_id', 'uuid', (c) => c.references('org_units.id'))
    .addColumn('action_by_person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('challenged_at', ts)
    // accountability
    .addColumn('owner_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('level', 'text', (c) => c.check(sql`level in ('ocu', 'business_group', 'management_board', 'corporate')`))
    .addColumn('smt_lead_id', 'uuid', (c) => c.references('people.id'))
    // platform and delivery (their changes are rows of learning_log_changes)
    .addColumn('platform_none_needed_reason', 'text')
    .addColumn('delivery_none_needed_reason', 'text')
    // review
    .addColumn('review_integrated', 'text', (c) => c.check(sql`review_integrated in ('fully', 'partly', 'not')`))
    .addColumn('review_improvement_seen', 'boolean')
    .addColumn('review_evidence', 'text')
    .addColumn('reviewed_at', ts)
    // closure
    .addColumn('closure_kind', 'text', (c) => c.check(sql`closure_kind in ('no_action', 'duplicate', 'reviewed')`))
    .addColumn('closure_reason', 'text')
    .addColumn('closed_at', ts)
    .addColumn('duplicate_of_id', 'uuid', (c) => c.references('learning_log_entries.id'))
    // Notes added to the trail, kept here too so search finds them (weight C with the entry's own notes).
    .addColumn('trail_notes', 'text')
    .addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', summary), 'B') || setweight(to_tsvector('english', coalesce(notes, '') || ' ' || coalesce(trail_notes, '')), 'C')`
        )
        .stored()
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('learning_log_entries_smt_lead', sql`level is distinct from 'corporate' or smt_lead_id is not null`)
    .addCheckConstraint('learning_log_entries_closure', sql`(stage = 'closed') = (closure_kind is not null)`)
    .addCheckConstraint('learning_log_entries_not_own_duplicate', sql`duplicate_of_id is distinct from id`)
    .execute()
  await sql`create index learning_log_entries_search on learning_log_entries using gin (search)`.execute(db)
  await sql`create index learning_log_entries_tags on learning_log_entries using gin (tags)`.execute(db)
  await db.schema.createIndex('learning_log_entries_stage').on('learning_log_entries').columns(['stage', 'stage_entered_at', 'id']).execute()
  await db.schema.createIndex('learning_log_entries_created').on('learning_log_entries').columns(['created_at', 'id']).execute()
  await db.schema.createIndex('learning_log_entries_org_unit').on('learning_log_entries').columns(['org_unit_id']).execute()
  await db.schema.createIndex('learning_log_entries_owner').on('learning_log_entries').columns(['owner_id']).execute()
  await db.schema.createIndex('learning_log_entries_source').on('learning_log_entries').columns(['source_kind', 'source_reference']).execute()

  await db.schema
    .createTable('learning_log_trail')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entry_id', 'uuid', (c) => c.notNull().references('learning_log_entries.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('created', 'moved', 'reopened', 'owner_changed', 'linked', 'unlinked', 'noted', 'updated')`)
    )
    .addColumn('from_stage', 'text', (c) => c.check(sql`from_stage in (${STAGES})`))
    .addColumn('to_stage', 'text', (c) => c.check(sql`to_stage in (${STAGES})`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('data', 'jsonb')
    .addColumn('occurred_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('learning_log_trail_stage_moves', sql`(kind in ('created', 'moved', 'reopened')) = (to_stage is not null)`)
    .execute()
  await db.schema.createIndex('learning_log_trail_entry').on('learning_log_trail').columns(['entry_id', 'id']).execute()
  await sql`create index learning_log_trail_stage_moves on learning_log_trail (entry_id, occurred_at, id) where to_stage is not null`.execute(db)

  await db.schema
    .createTable('learning_log_changes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('entry_id', 'uuid', (c) => c.notNull().references('learning_log_entries.id'))
    .addColumn('trail_id', 'bigint', (c) => c.notNull().references('learning_log_trail.id'))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('platform', 'delivery')`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'learning_log_changes_kind',
      sql`(stage = 'platform' and kind in ('policy', 'sop', 'process')) or (stage = 'delivery' and kind in ('training', 'it', 'role'))`
    )
    .execute()
  await db.schema.createIndex('learning_log_changes_entry').on('learning_log_changes').columns(['entry_id', 'created_at', 'position']).execute()

  await db.schema
    .createTable('learning_log_links')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('entry_id', 'uuid', (c) => c.notNull().references('learning_log_entries.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('duplicate_of', 'related', 'produced_by', 'addressed_by')`))
    .addColumn('recommendation_id', 'uuid', (c) => c.references('recommendations.id'))
    .addColumn('programme_id', 'uuid', (c) => c.references('programmes.id'))
    .addColumn('cohort_id', 'uuid', (c) => c.references('cohorts.id'))
    .addColumn('linked_entry_id', 'uuid', (c) => c.references('learning_log_entries.id'))
    .addColumn('target_id', 'uuid', (c) => c.generatedAlwaysAs(sql`coalesce(recommendation_id, programme_id, cohort_id, linked_entry_id)`).stored())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('learning_log_links_one_target', sql`num_nonnulls(recommendation_id, programme_id, cohort_id, linked_entry_id) = 1`)
    .addCheckConstraint('learning_log_links_not_self', sql`linked_entry_id is distinct from entry_id`)
    .addCheckConstraint(
      'learning_log_links_kind_target',
      sql`(kind <> 'duplicate_of' or linked_entry_id is not null) and (kind <> 'produced_by' or linked_entry_id is null) and (kind <> 'addressed_by' or linked_entry_id is null)`
    )
    .addUniqueConstraint('learning_log_links_unique', ['entry_id', 'kind', 'target_id'])
    .execute()
  await db.schema.createIndex('learning_log_links_entry').on('learning_log_links').columns(['entry_id', 'created_at', 'id']).execute()
  await db.schema.createIndex('learning_log_links_target').on('learning_log_links').columns(['target_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('learning_log_links').execute()
  await db.schema.dropTable('learning_log_changes').execute()
  await db.schema.dropTable('learning_log_trail').execute()
  await db.schema.dropTable('learning_log_entries').execute()
  await db.schema.dropTable('learning_log_reference_counters').execute()
}
