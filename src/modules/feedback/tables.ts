/** Tables of the feedback module (filled in by its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FeedbackTables {}
