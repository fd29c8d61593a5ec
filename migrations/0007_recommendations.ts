import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`
const STATUSES = sql`('not_started', 'in_progress', 'partially_embedded', 'continuing_challenge', 'embedded', 'closed')`

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recommendation_sources')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('inquiry', 'inspection', 'audit', 'review', 'internal')`))
    .addColumn('issuing_body', 'text')
    .addColumn('published_on', 'date')
    .addColumn('reference', 'text')
    .addColumn('url', 'text')
    .addColumn('expected_response_on', 'date')
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('recommendation_themes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('recommendations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('source_id', 'uuid', (c) => c.notNull().references('recommendation_sources.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    // "12" < "45a" < "100": the leading integer of the number, for ordering as printed.
    .addColumn('number_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('directed_to', 'text')
    .addColumn('area', 'text')
    .addColumn('owner_org_unit_id', 'uuid', (c) => c.references('org_units.id'))
    .addColumn('owner_person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('priority', 'text', (c) => c.check(sql`priority in ('high', 'medium', 'low')`))
    .addColumn('impact', 'text', (c) => c.check(sql`impact in ('high', 'medium', 'low')`))
    .addColumn('target_date', 'date')
    .addColumn('next_review_date', 'date')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('not_started').check(sql`status in ${STATUSES}`))
    .addColumn('closure_reason', 'text', (c) => c.check(sql`closure_reason in ('superseded', 'not_applicable', 'other')`))
    .addColumn('status_changed_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    // Last status change, evidence, action move or panel review: what "no movement in N days" reads.
    .addColumn('last_activity_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`to_tsvector('english', number || ' ' || title || ' ' || coalesce(body, '') || ' ' || coalesce(area, '') || ' ' || coalesce(directed_to, ''))`
        )
        .stored()
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('recommendations_source_number', ['source_id', 'number'])
    .addCheckConstraint('recommendations_closure_reason', sql`(status = 'closed') = (closure_reason is not null)`)
    .execute()
  await db.schema.createIndex('recommendations_source_order').on('recommendations').columns(['source_id', 'number_order', 'number', 'id']).execute()
  await db.schema.createIndex('recommendations_status').on('recommendations').columns(['status', 'id']).execute()
  await db.schema.createIndex('recommendations_owner_unit').on('recommendations').columns(['owner_org_unit_id', 'id']).execute()
  await db.schema.createIndex('recommendations_owner_person').on('recommendations').columns(['owner_person_id', 'id']).execute()
  await db.schema.createIndex('recommendations_area').on('recommendations').columns(['area', 'id']).execute()
  await db.schema.createIndex('recommendations_next_review').on('recommendations').columns(['next_review_date', 'id']).execute()
  await db.schema.createIndex('recommendations_target').on('recommendations').columns(['target_date', 'id']).execute()
  await db.schema.createIndex('recommendations_activity').on('recommendations').columns(['last_activity_at', 'id']).execute()
  await db.schema.createIndex('recommendations_created').on('recommendations').columns(['created_at', 'id']).execute()
  await sql`create index recommendations_no_owner on recommendations (id)
    where owner_org_unit_id is null and owner_person_id is null and status <> 'closed'`.execute(db)
  await sql`create index recommendations_search on recommendations using gin (search)`.execute(db)

  await db.schema
    .createTable('recommendation_theme_links')
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addColumn('theme_id', 'uuid', (c) => c.notNull().references('recommendation_themes.id'))
    .addPrimaryKeyConstraint('recommendation_theme_links_pk', ['recommendation_id', 'theme_id'])
    .execute()
  await db.schema.createIndex('recommendation_theme_links_theme').on('recommendation_theme_links').columns(['theme_id', 'recommendation_id']).execute()

  await db.schema
    .createTable('challenge_panels')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('terms_of_reference', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'dissolved')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('challenge_panel_members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('panel_id', 'uuid', (c) => c.notNull().references('challenge_panels.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('membership', 'text', (c) => c.notNull().check(sql`membership in ('internal', 'external')`))
    .addColumn('organisation', 'text')
    .addColumn('person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member').check(sql`role in ('chair', 'member', 'adviser')`))
    .addColumn('joined_on', 'date')
    .addColumn('left_on', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('challenge_panel_members_dates', sql`joined_on is null or left_on is null or joined_on <= left_on`)
    .execute()
  await db.schema.createIndex('challenge_panel_members_panel').on('challenge_panel_members').columns(['panel_id', 'name', 'id']).execute()

  await db.schema
    .createTable('recommendation_evidence')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('document', 'data', 'indicator', 'narrative', 'link')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('reference', 'text')
    .addColumn('url', 'text')
    .addColumn('indicator_id', 'uuid')
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('expires_on', 'date')
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_by_person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('withdrawn_at', ts)
    .addColumn('withdrawn_by', 'text')
    .addColumn('withdrawal_reason', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('recommendation_evidence_dates', sql`expires_on is null or effective_on <= expires_on`)
    .addCheckConstraint('recommendation_evidence_withdrawal', sql`(withdrawn_at is null) = (withdrawal_reason is null)`)
    .execute()
  await db.schema.createIndex('recommendation_evidence_recommendation').on('recommendation_evidence').columns(['recommendation_id', 'effective_on', 'id']).execute()
  // What "current evidence" asks for, per recommendation: not withdrawn, with its dates.
  await sql`create index recommendation_evidence_current on recommendation_evidence (recommendation_id, effective_on, expires_on)
    where withdrawn_at is null`.execute(db)

  await db.schema
    .createTable('recommendation_actions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner_org_unit_id', 'uuid', (c) => c.references('org_units.id'))
    .addColumn('owner_person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('due_on', 'date')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'in_progress', 'done', 'cancelled')`))
    .addColumn('completed_on', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index recommendation_actions_open_due on recommendation_actions (due_on, id)
    where status in ('open', 'in_progress')`.execute(db)
  await db.schema.createIndex('recommendation_actions_created').on('recommendation_actions').columns(['created_at', 'id']).execute()
  await db.schema.createIndex('recommendation_actions_owner_person').on('recommendation_actions').columns(['owner_person_id', 'id']).execute()

  await db.schema
    .createTable('recommendation_action_links')
    .addColumn('action_id', 'uuid', (c) => c.notNull().references('recommendation_actions.id'))
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addPrimaryKeyConstraint('recommendation_action_links_pk', ['action_id', 'recommendation_id'])
    .execute()
  await db.schema.createIndex('recommendation_action_links_recommendation').on('recommendation_action_links').columns(['recommendation_id', 'action_id']).execute()

  await db.schema
    .createTable('panel_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('panel_id', 'uuid', (c) => c.notNull().references('challenge_panels.id'))
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addColumn('reviewed_on', 'date', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('embedded', 'partially_embedded', 'not_embedded', 'insufficient_evidence')`))
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('next_review_on', 'date')
    .addColumn('status_before', 'text', (c) => c.notNull())
    .addColumn('status_after', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('panel_reviews_recommendation').on('panel_reviews').columns(['recommendation_id', 'reviewed_on', 'id']).execute()
  await db.schema.createIndex('panel_reviews_panel').on('panel_reviews').columns(['panel_id', 'reviewed_on', 'id']).execute()

  await db.schema
    .createTable('panel_review_members')
    .addColumn('review_id', 'uuid', (c) => c.notNull().references('panel_reviews.id'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('challenge_panel_members.id'))
    .addPrimaryKeyConstraint('panel_review_members_pk', ['review_id', 'member_id'])
    .execute()

  await db.schema
    .createTable('panel_review_evidence')
    .addColumn('review_id', 'uuid', (c) => c.notNull().references('panel_reviews.id'))
    .addColumn('evidence_id', 'uuid', (c) => c.notNull().references('recommendation_evidence.id'))
    // Whether the item was current on the review date, as judged when the review was recorded.
    .addColumn('current', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('panel_review_evidence_pk', ['review_id', 'evidence_id'])
    .execute()

  await db.schema
    .createTable('recommendation_status_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('closure_reason', 'text')
    .addColumn('rationale', 'text')
    .addColumn('via', 'text', (c) => c.notNull().check(sql`via in ('create', 'transition', 'panel_review', 'import')`))
    .addColumn('panel_review_id', 'uuid', (c) => c.references('panel_reviews.id'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('recommendation_status_history_recommendation').on('recommendation_status_history').columns(['recommendation_id', 'id']).execute()
  await sql`
    create function recommendation_status_history_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'recommendation_status_history is append-only' using errcode = 'P0001', hint = 'pathway:append-only';
    end $$`.execute(db)
  await sql`
    create trigger recommendation_status_history_no_update_delete before update or delete on recommendation_status_history
    for each row execute function recommendation_status_history_append_only()`.execute(db)

  await db.schema
    .createTable('indicators')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('higher_is_better', 'lower_is_better')`))
    .addColumn('target', sql`numeric(14,4)`)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('indicator_values')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('indicator_id', 'uuid', (c) => c.notNull().references('indicators.id'))
    .addColumn('org_unit_id', 'uuid', (c) => c.notNull().references('org_units.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('value', sql`numeric(14,4)`, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('indicator_values_period', ['indicator_id', 'org_unit_id', 'period'])
    .addCheckConstraint('indicator_values_dates', sql`period_start <= period_end`)
    .execute()
  await db.schema.createIndex('indicator_values_series').on('indicator_values').columns(['indicator_id', 'org_unit_id', 'period_end', 'id']).execute()
  await db.schema.createIndex('indicator_values_org_unit').on('indicator_values').columns(['org_unit_id', 'period_end']).execute()

  await db.schema
    .createTable('indicator_recommendation_links')
    .addColumn('indicator_id', 'uuid', (c) => c.notNull().references('indicators.id'))
    .addColumn('recommendation_id', 'uuid', (c) => c.notNull().references('recommendations.id'))
    .addPrimaryKeyConstraint('indicator_recommendation_links_pk', ['indicator_id', 'recommendation_id'])
    .execute()
  await db.schema.createIndex('indicator_recommendation_links_recommendation').on('indicator_recommendation_links').columns(['recommendation_id', 'indicator_id']).execute()

  await db.schema
    .alterTable('recommendation_evidence')
    .addForeignKeyConstraint('recommendation_evidence_indicator', ['indicator_id'], 'indicators', ['id'])
    .execute()

  // Overdue actions and reviews reported once per item and due date by the sweep (see overdue.service.ts).
  await db.schema
    .createTable('recommendation_overdue_notices')
    .addColumn('entity_type', 'text', (c) => c.notNull().check(sql`entity_type in ('action', 'recommendation-review')`))
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('notified_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('recommendation_overdue_notices_pk', ['entity_type', 'entity_id', 'due_on'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'recommendation_overdue_notices',
    'indicator_recommendation_links',
    'indicator_values',
    'recommendation_status_history',
    'panel_review_evidence',
    'panel_review_members',
    'panel_reviews',
    'recommendation_action_links',
    'recommendation_actions',
    'recommendation_evidence',
    'indicators',
    'challenge_panel_members',
    'challenge_panels',
    'recommendation_theme_links',
    'recommendations',
    'recommendation_themes',
    'recommendation_sources'
  ]) {
    await db.schema.dropTable(table).execute()
  }
  await sql`drop function if exists recommendation_status_history_append_only()`.execute(db)
}
