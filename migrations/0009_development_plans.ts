import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`

const PLAN_STATUSES = sql`('draft', 'submitted', 'agreed', 'completed', 'lapsed')`
const PRIORITIES = sql`('high', 'medium', 'low')`
const ACTIVITY_KINDS = sql`('programme', 'placement', 'coaching', 'mentoring', 'shadowing', 'self_study', 'other')`

/**
 * Development plans (a person's plan for a PDR year, agreed with their line manager), their
 * objectives (linked to framework elements and to where they came from), activities, append-only
 * progress notes, and organisation-wide templates that create plans for a whole cohort.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('development_plan_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'retired')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('development_plan_templates_title').on('development_plan_templates').columns(['title', 'id']).execute()

  await db.schema
    .createTable('development_template_objectives')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('template_id', 'uuid', (c) => c.notNull().references('development_plan_templates.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('success_measure', 'text')
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('medium').check(sql`priority in ${PRIORITIES}`))
    .addColumn('due_in_months', 'integer', (c) => c.check(sql`due_in_months between 1 and 24`))
    .addUniqueConstraint('development_template_objectives_position', ['template_id', 'position'])
    .execute()

  await db.schema
    .createTable('development_template_objective_elements')
    .addColumn('template_objective_id', 'uuid', (c) => c.notNull().references('development_template_objectives.id').onDelete('cascade'))
    .addColumn('element_id', 'uuid', (c) => c.notNull().references('framework_elements.id'))
    .addPrimaryKeyConstraint('development_template_objective_elements_pk', ['template_objective_id', 'element_id'])
    .execute()

  await db.schema
    .createTable('development_template_activities')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('template_objective_id', 'uuid', (c) => c.notNull().references('development_template_objectives.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ${ACTIVITY_KINDS}`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('programme_id', 'uuid', (c) => c.references('programmes.id'))
    .addColumn('due_in_months', 'integer', (c) => c.check(sql`due_in_months between 1 and 24`))
    .addCheckConstraint('development_template_activities_programme', sql`(kind = 'programme') = (programme_id is not null)`)
    .addUniqueConstraint('development_template_activities_position', ['template_objective_id', 'position'])
    .execute()

  await db.schema
    .createTable('development_plans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^[0-9]{4}/[0-9]{2}$'`))
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('template_id', 'uuid', (c) => c.references('development_plan_templates.id'))
    .addColumn('cohort_id', 'uuid', (c) => c.references('cohorts.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ${PLAN_STATUSES}`))
    .addColumn('submitted_at', ts)
    .addColumn('agreed_by', 'text')
    .addColumn('agreed_by_person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('agreed_at', ts)
    .addColumn('completed_at', ts)
    .addColumn('review_comment', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('development_plans_dates', sql`starts_on <= ends_on`)
    .addCheckConstraint('development_plans_agreement', sql`(status in ('agreed', 'completed')) <= (agreed_at is not null)`)
    .execute()
  // One live plan per person, period and template (none for a personal plan): applying a
  // template twice, or starting a second personal plan for the same year, finds the first.
  await sql`create unique index development_plans_one_per_period on development_plans
    (owner_id, period, coalesce(template_id, '00000000-0000-0000-0000-000000000000'::uuid)) where status <> 'lapsed'`.execute(db)
  await db.schema.createIndex('development_plans_owner').on('development_plans').columns(['owner_id', 'created_at', 'id']).execute()
  await db.schema.createIndex('development_plans_status').on('development_plans').columns(['status', 'created_at', 'id']).execute()
  await db.schema.createIndex('development_plans_created').on('development_plans').columns(['created_at', 'id']).execute()
  await db.schema.createIndex('development_plans_template').on('development_plans').columns(['template_id', 'cohort_id']).execute()

  await db.schema
    .createTable('development_plan_transitions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('development_plans.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('occurred_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('development_plan_transitions_plan').on('development_plan_transitions').columns(['plan_id', 'id']).execute()

  await db.schema
    .createTable('development_objectives')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('development_plans.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('success_measure', 'text')
    .addColumn('due_on', 'date')
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('medium').check(sql`priority in ${PRIORITIES}`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('not_started').check(sql`status in ('not_started', 'in_progress', 'achieved', 'not_achieved', 'dropped')`)
    )
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source in ('feedback_gap', 'psychometric_result', 'programme_outcome', 'manager', 'self', 'template')`)
    )
    .addColumn('source_assessment_id', 'uuid', (c) => c.references('feedback_assessments.id'))
    .addColumn('source_element_id', 'uuid', (c) => c.references('framework_elements.id'))
    .addColumn('source_psychometric_result_id', 'uuid', (c) => c.references('psychometric_results.id'))
    .addColumn('source_enrolment_id', 'uuid', (c) => c.references('enrolments.id'))
    .addColumn('source_detail', 'jsonb')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('development_objectives_gap_source', sql`(source = 'feedback_gap') = (source_assessment_id is not null and source_element_id is not null)`)
    .addCheckConstraint('development_objectives_psychometric_source', sql`(source = 'psychometric_result') = (source_psychometric_result_id is not null)`)
    .addCheckConstraint('development_objectives_programme_source', sql`(source = 'programme_outcome') = (source_enrolment_id is not null)`)
    .execute()
  await db.schema.createIndex('development_objectives_plan').on('development_objectives').columns(['plan_id', 'position', 'id']).execute()
  await db.schema.createIndex('development_objectives_due').on('development_objectives').columns(['due_on', 'id']).execute()

  await db.schema
    .createTable('development_objective_elements')
    .addColumn('objective_id', 'uuid', (c) => c.notNull().references('development_objectives.id').onDelete('cascade'))
    .addColumn('element_id', 'uuid', (c) => c.notNull().references('framework_elements.id'))
    .addPrimaryKeyConstraint('development_objective_elements_pk', ['objective_id', 'element_id'])
    .execute()
  await db.schema.createIndex('development_objective_elements_element').on('development_objective_elements').column('element_id').execute()

  await db.schema
    .createTable('development_progress_notes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('objective_id', 'uuid', (c) => c.notNull().references('development_objectives.id'))
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('status_from', 'text')
    .addColumn('status_to', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('development_progress_notes_objective').on('development_progress_notes').columns(['objective_id', 'id']).execute()
  // Progress notes are the plan's record of the year: appended, never rewritten.
  await sql`
    create function development_progress_notes_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'development_progress_notes is append-only' using errcode = 'P0001', hint = 'pathway:progress-append-only';
    end $$`.execute(db)
  await sql`
    create trigger development_progress_notes_no_update_delete before update or delete on development_progress_notes
    for each row execute function development_progress_notes_append_only()`.execute(db)

  await db.schema
    .createTable('development_activities')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('objective_id', 'uuid', (c) => c.notNull().references('development_objectives.id').onDelete('cascade'))
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('development_plans.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ${ACTIVITY_KINDS}`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('due_on', 'date')
    // Programme activities have no status of their own: they follow their enrolment's.
    .addColumn('status', 'text', (c) => c.check(sql`status in ('planned', 'started', 'done', 'not_done')`))
    .addColumn('programme_id', 'uuid', (c) => c.references('programmes.id'))
    .addColumn('enrolment_id', 'uuid', (c) => c.references('enrolments.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('development_activities_programme', sql`(kind = 'programme') = (programme_id is not null)`)
    .addCheckConstraint('development_activities_status', sql`(kind = 'programme') = (status is null)`)
    .addCheckConstraint('development_activities_enrolment', sql`enrolment_id is null or kind = 'programme'`)
    .execute()
  await db.schema.createIndex('development_activities_objective').on('development_activities').columns(['objective_id', 'position', 'id']).execute()
  await db.schema.createIndex('development_activities_plan').on('development_activities').column('plan_id').execute()
  await db.schema.createIndex('development_activities_enrolment').on('development_activities').column('enrolment_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('development_activities').execute()
  await sql`drop trigger if exists development_progress_notes_no_update_delete on development_progress_notes`.execute(db)
  await db.schema.dropTable('development_progress_notes').execute()
  await sql`drop function if exists development_progress_notes_append_only()`.execute(db)
  await db.schema.dropTable('development_objective_elements').execute()
  await db.schema.dropTable('development_objectives').execute()
  await db.schema.dropTable('development_plan_transitions').execute()
  await db.schema.dropTable('development_plans').execute()
  await db.schema.dropTable('development_template_activities').execute()
  await db.schema.dropTable('development_template_objective_elements').execute()
  await db.schema.dropTable('development_template_objectives').execute()
  await db.schema.dropTable('development_plan_templates').execute()
}
