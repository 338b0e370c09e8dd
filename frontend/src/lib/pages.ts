// Lists the API pages (DRF's {count, next, results}) read whole: a landlord's properties,
// leases, a lease's invoices, visits. Each is small per person, and a picker or a
// calendar must not silently miss what is on page 2. Bounded: past MAX_PAGES the list
// stops and says so (`truncated`), rather than fetching without end.

export const MAX_PAGES = 25

export interface Paged<T> {
  count: number
  next?: string | null
  results: T[]
}

export interface AllPages<T> {
  count: number
  results: T[]
  /** More exist than were fetched (MAX_PAGES pages). */
  truncated: boolean
}

export async function allPages<T>(fetchPage: (page: number) => Promise<Paged<T>>): Promise<AllPages<T>> {
  const results: T[] = []
  let count = 0
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await fetchPage(page)
    count = answer.count
    results.push(...answer.results)
    if (!answer.next || answer.results.length === 0) return { count, results, truncated: false }
  }
  return { count, results, truncated: results.length < count }
}
