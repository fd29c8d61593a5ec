/**
 * CSV formula injection: a spreadsheet runs a cell starting with = + - or @ (or a tab or carriage
 * return before one) as a formula. Exported text cells that start so — or with a ', so the rule can
 * be undone exactly — get a leading ', which spreadsheets show as plain text; imports take that one
 * ' off again, so an export imports back unchanged. Numbers are not text and are written as they are.
 */
const RISKY = /^[=+\-@'\t\r]/

export const neutraliseCell = (cell: string) => (RISKY.test(cell) ? `'${cell}` : cell)

export const restoreCell = (cell: string) => (cell.startsWith("'") && RISKY.test(cell.slice(1)) ? cell.slice(1) : cell)
