// Budget periods: a UTC day and a UTC calendar month. Budgets reset at their period's end; the
// Redis scripts compute the same ends in Lua (see lua-scripts.ts), and the shared store tests
// hold the two to the same answers across month and year ends.

export const DAY_MS = 86_400_000;

/** The end (exclusive, ms since the epoch) of the UTC day that holds `now`. */
export function dayEnd(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/** The end (exclusive, ms since the epoch) of the UTC month that holds `now`. */
export function monthEnd(now: number): number {
  const at = new Date(now);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
}
