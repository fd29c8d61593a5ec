import { sql, type Kysely } from 'kysely'

const ts = sql`timestamptz(3)`

/**
 * 360° assessments, rater invitations, drafts and anonymous responses.
 *
 * Anonymity is a property of the schema, not of a filter: `feedback_responses` has no column that
 * names an invitation, a rater or a time, its ids are random, and a draft (which does name its
 * invitation) is deleted when it is submitted. Only the invitation records that it was submitted
 * (and on which day).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feedback_assessments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('subject_id', 'uuid', (c) => c.notNull().references('people.id'))
    .addColumn('framework_id', 'uuid', (c) => c.notNull().references('frameworks.id'))
    .addColumn('element_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('cohort_id', 'uuid', (c) => c.references('cohorts.id'))
    .addColumn('opens_at', ts, (c) => c.notNull())
    .addColumn('closes_at', ts, (c) => c.notNull())
    .addColumn('scale_min', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('scale_max', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('scale_labels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('not_observed_allowed', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('anonymity_threshold', 'integer', (c) => c.notNull().defaultTo(3).check(sql`anonymity_threshold >= 2`))
    .addColumn('line_manager_identified', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('draft').check(sql`status in ('draft', 'open', 'closed', 'released', 'cancelled')`)
    )
    .addColumn('status_reason', 'text')
    .addColumn('opened_at', ts)
    .addColumn('closed_at', ts)
    .addColumn('released_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('feedback_assessments_window', sql`opens_at < closes_at`)
    .addCheckConstraint('feedback_assessments_scale', sql`scale_min >= 0 and scale_min < scale_max and scale_max - scale_min <= 10`)
    .addCheckConstraint(
      'feedback_assessments_scale_labels',
      sql`cardinality(scale_labels) = 0 or cardinality(scale_labels) = scale_max - scale_min + 1`
    )
    .execute()
  await db.schema.createIndex('feedback_assessments_subject').on('feedback_assessments').columns(['subject_id', 'created_at', 'id']).execute()
  await db.schema.createIndex('feedback_assessments_created').on('feedback_assessments').columns(['created_at', 'id']).execute()
  // A cohort's bulk creation is idempotent: one live assessment per participant and framework.
  await sql`create unique index feedback_assessments_cohort_subject on feedback_assessments (cohort_id, subject_id, framework_id)
    where cohort_id is not null and status <> 'cancelled'`.execute(db)

  await db.schema
    .createTable('feedback_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('feedback_assessments.id'))
    .addColumn('relationship', 'text', (c) =>
      c.notNull().check(sql`relationship in ('self', 'line_manager', 'peer', 'direct_report', 'other')`)
    )
    .addColumn('person_id', 'uuid', (c) => c.references('people.id'))
    .addColumn('external_name', 'text')
    .addColumn('external_email', 'text')
    // SHA-256 of the token, hex: the token itself is never stored.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_issued_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    // Null: the token lives as long as the assessment's window.
    .addColumn('token_expires_at', ts)
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('invited').check(sql`status in ('invited', 'submitted', 'declined', 'withdrawn')`)
    )
    .addColumn('status_reason', 'text')
    // Only the day: a precise time could be matched against other traces of the submission.
    .addColumn('responded_on', 'date')
    .addColumn('last_reminded_at', ts)
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'feedback_invitations_rater',
      sql`(person_id is not null and external_name is null and external_email is null) or (person_id is null and external_name is not null and external_email is not null)`
    )
    .execute()
  await db.schema.createIndex('feedback_invitations_assessment').on('feedback_invitations').columns(['assessment_id', 'created_at', 'id']).execute()
  await db.schema.createIndex('feedback_invitations_status').on('feedback_invitations').columns(['status', 'assessment_id']).execute()
  await sql`create unique index feedback_invitations_person on feedback_invitations (assessment_id, person_id)
    where person_id is not null and status <> 'withdrawn'`.execute(db)
  await sql`create unique index feedback_invitations_email on feedback_invitations (assessment_id, lower(external_email))
    where external_email is not null and status <> 'withdrawn'`.execute(db)
  await sql`create unique index feedback_invitations_self on feedback_invitations (assessment_id)
    where relationship = 'self' and status <> 'withdrawn'`.execute(db)

  // A rater's work in progress; it names its invitation (the rater must find it again) and is
  // deleted when the rater submits or declines, or the assessment closes.
  await db.schema
    .createTable('feedback_drafts')
    .addColumn('invitation_id', 'uuid', (c) => c.primaryKey().references('feedback_invitations.id').onDelete('cascade'))
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  // Deliberately without invitation, rater, person or time columns (see the header comment).
  await db.schema
    .createTable('feedback_responses')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('feedback_assessments.id'))
    .addColumn('rater_group', 'text', (c) =>
      c.notNull().check(sql`rater_group in ('self', 'line_manager', 'peer', 'direct_report', 'other')`)
    )
    .addColumn('ratings', 'jsonb', (c) => c.notNull())
    .addColumn('comments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute()
  await db.schema.createIndex('feedback_responses_assessment').on('feedback_responses').column('assessment_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feedback_responses').execute()
  await db.schema.dropTable('feedback_drafts').execute()
  await db.schema.dropTable('feedback_invitations').execute()
  await db.schema.dropTable('feedback_assessments').execute()
}
