import { queryString } from '../api/call'
import { activeFilterCount, apiQuery, EMPTY, readSearch, writeSearch } from './searchState'

describe('the search in the URL', () => {
  it('round-trips every filter', () => {
    const state = {
      ...EMPTY,
      q: '2bhk near cubon park',
      city: ['Bengaluru', 'Pune'],
      amenities: ['wifi', 'parking'],
      price_min: '10000',
      bedrooms_min: '2',
      furnished: 'true' as const,
      available: true,
      move_in: '2026-12-01',
      sort: 'price_asc' as const,
      page: 3,
    }
    const params = writeSearch(state)
    expect(params.get('city')).toBe('Bengaluru,Pune')
    expect(readSearch(params)).toEqual(state)
    expect(activeFilterCount(state)).toBe(9)
  })
  it('leaves out what is empty and ignores nonsense', () => {
    expect(writeSearch(EMPTY).toString()).toBe('')
    const read = readSearch(new URLSearchParams('sort=cheapest&page=-2&furnished=maybe'))
    expect(read).toEqual(EMPTY)
  })
  it('asks the API for a page size', () => {
    expect(queryString(apiQuery({ ...EMPTY, q: '  flat  ' }))).toBe('q=flat&page_size=20')
  })
  it("sends the API the URL's parameters, in the URL's order", () => {
    const state = {
      ...EMPTY,
      q: 'flat',
      city: ['Bengaluru', 'Pune'],
      property_type: ['house'],
      amenities: ['wifi', 'parking'],
      price_min: '10000',
      price_max: '30000',
      bedrooms_min: '2',
      furnished: 'false' as const,
      available: true,
      move_in: '2026-12-01',
      sort: 'newest' as const,
      page: 2,
    }
    expect(queryString(apiQuery(state))).toBe(`${writeSearch(state)}&page_size=20`)
  })
})
