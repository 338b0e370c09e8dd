// The search lives in the URL, so it can be shared and the back button works. One
// function each way between the URL's parameters and the API's.
import type { SearchQuery } from '../api/types'

export interface SearchState {
  q: string
  city: string[]
  property_type: string[]
  amenities: string[]
  price_min: string
  price_max: string
  bedrooms_min: string
  furnished: '' | 'true' | 'false'
  available: boolean
  move_in: string
  sort: '' | 'relevance' | 'price_asc' | 'price_desc' | 'newest'
  page: number
}

export const EMPTY: SearchState = {
  q: '',
  city: [],
  property_type: [],
  amenities: [],
  price_min: '',
  price_max: '',
  bedrooms_min: '',
  furnished: '',
  available: false,
  move_in: '',
  sort: '',
  page: 1,
}

export const PAGE_SIZE = 20
const SORTS = new Set(['relevance', 'price_asc', 'price_desc', 'newest'])
const LISTS = ['city', 'property_type', 'amenities'] as const

const list = (value: string | null) => (value ? value.split(',').filter(Boolean) : [])

export function readSearch(params: URLSearchParams): SearchState {
  const sort = params.get('sort') ?? ''
  const furnished = params.get('furnished') ?? ''
  const page = Number(params.get('page') ?? '1')
  return {
    q: params.get('q') ?? '',
    city: list(params.get('city')),
    property_type: list(params.get('property_type')),
    amenities: list(params.get('amenities')),
    price_min: params.get('price_min') ?? '',
    price_max: params.get('price_max') ?? '',
    bedrooms_min: params.get('bedrooms_min') ?? '',
    furnished: furnished === 'true' || furnished === 'false' ? furnished : '',
    available: params.get('available') === 'true',
    move_in: params.get('move_in') ?? '',
    sort: SORTS.has(sort) ? (sort as SearchState['sort']) : '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
  }
}

/** The URL's parameters for a state (only what differs from the empty search). */
export function writeSearch(state: SearchState): URLSearchParams {
  const params = new URLSearchParams()
  if (state.q.trim()) params.set('q', state.q)
  for (const key of LISTS) if (state[key].length) params.set(key, state[key].join(','))
  for (const key of ['price_min', 'price_max', 'bedrooms_min', 'furnished', 'move_in', 'sort'] as const) {
    if (state[key]) params.set(key, state[key])
  }
  if (state.available) params.set('available', 'true')
  if (state.page > 1) params.set('page', String(state.page))
  return params
}

/** The search API's parameters (the same names, in the same order, plus the page size),
 * as the OpenAPI document types them; empty ones are left out of the URL (api/call.ts). */
export function apiQuery(state: SearchState): SearchQuery {
  return {
    q: state.q.trim(),
    city: state.city.join(','),
    property_type: state.property_type.join(','),
    amenities: state.amenities.join(','),
    price_min: state.price_min,
    price_max: state.price_max,
    bedrooms_min: state.bedrooms_min ? Number(state.bedrooms_min) : undefined,
    furnished: state.furnished || undefined,
    move_in: state.move_in,
    sort: state.sort || undefined,
    available: state.available ? 'true' : undefined,
    page: state.page > 1 ? state.page : undefined,
    page_size: PAGE_SIZE,
  }
}

export function activeFilterCount(state: SearchState): number {
  return (
    state.city.length +
    state.property_type.length +
    state.amenities.length +
    (state.price_min || state.price_max ? 1 : 0) +
    (state.bedrooms_min ? 1 : 0) +
    (state.furnished ? 1 : 0) +
    (state.available ? 1 : 0) +
    (state.move_in ? 1 : 0)
  )
}
