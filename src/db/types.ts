import type { AssessmentsTables } from '../modules/assessments/tables.js'
import type { DevelopmentPlansTables } from '../modules/development-plans/tables.js'
import type { FeedbackTables } from '../modules/feedback/tables.js'
import type { LearningLogsTables } from '../modules/learning-logs/tables.js'
import type { PeopleTables } from '../modules/people/tables.js'
import type { ProgrammesTables } from '../modules/programmes/tables.js'
import type { RecommendationsTables } from '../modules/recommendations/tables.js'
import type { PlatformTables } from '../platform/tables.js'

/** The whole schema as Kysely sees it; each module declares its own tables. */
export interface Database
  extends PlatformTables, PeopleTables, ProgrammesTables, AssessmentsTables, FeedbackTables, RecommendationsTables, LearningLogsTables, DevelopmentPlansTables {}
