/**
 * The SQL the API issues for each benchmarked endpoint (as Kysely compiles it; checked by
 * logging the API's queries), run as it is by the reference server.
 */
export interface Query {
  text: string
  params(query: Record<string, string>): unknown[]
}

const q = (text: string, params: Query['params'] = () => []): Query => ({ text, params })
const ORDER = `order by "people"."family_name" asc, "people"."given_name" asc, "people"."id" asc`

export const REFERENCE_SQL = {
  personById: q(`select * from "people" where "id" = $1`),
  subtreePage: q(`select "people".* from "people" where ("people"."org_unit_id" = $1 or "people"."org_unit_id" in (select unnest(array(
    with recursive down(id, depth) as (
      select id, 1 from "org_units" where "parent_id" = $2
      union all
      select t.id, down.depth + 1 from "org_units" t join down on t."parent_id" = down.id where down.depth < 200
    )
    select id from down)) as id)) and "people"."status" = $3 ${ORDER} limit $4`),
  peopleFirst: q(`select "people".* from "people" ${ORDER} limit $1`),
  peopleAfter: q(`select "people".* from "people" where ("people"."family_name", "people"."given_name", "people"."id") > ($1, $2, $3) ${ORDER} limit $4`),
  events: q(`select * from "events" where "sequence" > $1 order by "sequence" limit $2`),
  insertPerson: q(`insert into "people" ("external_id", "given_name", "family_name", "email", "staff_type", "grade_id", "org_unit_id", "line_manager_id")
    values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`),
  insertAudit: q(`insert into "audit_records" ("actor", "client_id", "action", "entity_type", "entity_id", "before", "after", "request_id") values ($1, $2, $3, $4, $5, $6, $7, $8)`),
  nextSequence: q(`update "event_counter" set "last_sequence" = last_sequence + $1 where "id" = 1 returning "last_sequence"`),
  insertEvent: q(`insert into "events" ("sequence", "type", "entity_type", "entity_id", "data", "actor", "request_id") values ($1, $2, $3, $4, $7, $5, $6)`),
  // GET /v1/assessments/{id}/report (feedback): the assessment, then three queries at once.
  feedbackAssessment: q(`select * from "feedback_assessments" where "id" = $1`),
  feedbackElements: q(`select * from "framework_elements" where "framework_id" = $1 order by "position", "code"`),
  feedbackResponses: q(`select "rater_group", "ratings", "comments" from "feedback_responses" where "assessment_id" = $1`),
  feedbackInvitations: q(`select "relationship", "status", count(*) as "count" from "feedback_invitations" where "assessment_id" = $1 group by "relationship", "status"`),
  /** Report endpoints of modules that have landed: path on the reference server → SQL. */
  reports: {} as Record<string, Query>
}
