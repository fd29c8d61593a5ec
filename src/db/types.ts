import type { PeopleTables } from '../modules/people/tables.js'
import type { ProgrammesTables } from '../modules/programmes/tables.js'
import type { PlatformTables } from '../platform/tables.js'

/** The whole schema as Kysely sees it; each module declares its own tables. */
export interface Database extends PlatformTables, PeopleTables, ProgrammesTables {}
