import { describe, expect, it, vi } from 'vitest'
import { allPages, MAX_PAGES } from './pages'

const pageOf = (total: number, size: number) => async (page: number) => {
  const start = (page - 1) * size
  const results = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i)
  return { count: total, next: start + size < total ? `?page=${page + 1}` : null, results }
}

describe('allPages', () => {
  it('reads every page in order', async () => {
    const fetch = vi.fn(pageOf(45, 20))
    const all = await allPages(fetch)
    expect(all.results).toEqual(Array.from({ length: 45 }, (_, i) => i))
    expect(all).toMatchObject({ count: 45, truncated: false })
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([1, 2, 3])
  })

  it('stops at an empty list', async () => {
    const all = await allPages(pageOf(0, 20))
    expect(all).toEqual({ count: 0, results: [], truncated: false })
  })

  it('is bounded and says when it stopped short', async () => {
    const fetch = vi.fn(pageOf(10_000, 20))
    const all = await allPages(fetch)
    expect(fetch).toHaveBeenCalledTimes(MAX_PAGES)
    expect(all.results).toHaveLength(MAX_PAGES * 20)
    expect(all.truncated).toBe(true)
  })
})
