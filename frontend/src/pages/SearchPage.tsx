// Home and search: free text with suggestions as you type, filters with facet counts,
// sort, pages, a list and a map whose markers follow the results. The URL holds the
// whole search (shareable; the back button steps through searches, not keystrokes).
import {
  Box,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core'
import { useDebouncedValue, useDisclosure, useMediaQuery } from '@mantine/hooks'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import { queryString } from '../api/call'
import { search, suggest } from '../api/endpoints'
import type { SearchQuery, SearchResponse, Suggestion } from '../api/types'
import { CardsSkeleton, EmptyState, ErrorAlert } from '../components/common'
import { LazyDrawer } from '../components/LazyDrawer'
import { LazyMap } from '../components/LazyMap'
import { ListingCard } from '../components/ListingCard'
import { Pager } from '../components/Pager'
import { SearchBox } from '../components/SearchBox'
import { useFormat } from '../lib/format'
import { amenityLabel, typeLabel } from '../lib/labels'
import {
  activeFilterCount,
  apiQuery,
  EMPTY,
  PAGE_SIZE,
  readSearch,
  writeSearch,
  type SearchState,
} from '../lib/searchState'
import { usePageTitle } from '../lib/usePageTitle'
import { queryClient } from '../queryClient'

type Results = SearchResponse & { q: string }

const NO_HITS: SearchResponse['results'] = []

const SORTS = [
  { value: 'relevance', label: 'Best match' },
  { value: 'newest', label: 'Newest' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
]


const SUGGEST_PAUSE_MS = 150

// "Clear filters" keeps the text and the sort.
const { q: _q, sort: _sort, ...FILTERS_CLEARED } = EMPTY

const searchKey = (query: SearchQuery) => ['search', queryString(query)]
const runSearch = async (query: SearchQuery, q: string, signal?: AbortSignal): Promise<Results> => ({
  ...(await search(query, signal)),
  q,
})

/** The search of the page being opened, started before the first render. */
export function prefetchSearch(): void {
  if (window.location.pathname !== '/') return
  const state = readSearch(new URLSearchParams(window.location.search))
  const query = apiQuery(state)
  void queryClient.prefetchQuery({
    queryKey: searchKey(query),
    queryFn: ({ signal }) => runSearch(query, state.q, signal),
  })
}

export function SearchPage() {
  const [params, setParams] = useSearchParams()
  const state = useMemo(() => readSearch(params), [params])
  const navigate = useNavigate()
  const format = useFormat()
  // Read at once (not after a first render): a phone never loads the map it does not show.
  const wide = useMediaQuery('(min-width: 1100px)', true, { getInitialValueInEffect: false })
  const [filtersOpen, filters] = useDisclosure(false)
  const [view, setView] = useState<'list' | 'map'>('list')
  const [text, setText] = useState(state.q)
  const [hovered, setHovered] = useState<string | null>(null)
  const typing = useRef(false)
  usePageTitle(state.q ? `“${state.q}”` : 'Find a place to rent')

  // The URL changed from outside (back button, a link): the box follows it.
  useEffect(() => {
    if (!typing.current) setText(state.q)
    typing.current = false
  }, [state.q])

  // One `update` for the page's life (read through refs): the memoised filters, cards
  // and map are not re-rendered by a keystroke that changes only the text.
  const latest = useRef({ state, setParams })
  useLayoutEffect(() => {
    latest.current = { state, setParams }
  })
  const update = useCallback((changes: Partial<SearchState>, replace = false) => {
    const next = { ...latest.current.state, page: 1, ...changes }
    latest.current.setParams(writeSearch(next), { replace })
  }, [])
  // The filters see the search without its text: typing does not re-render them.
  const filterKey = writeSearch({ ...state, q: '' }).toString()
  const filterState = useMemo(() => readSearch(new URLSearchParams(filterKey)), [filterKey])

  const onType = (value: string) => {
    setText(value)
    typing.current = true
    // Results follow every keystroke; one history entry per search, not per letter.
    update({ q: value }, true)
  }

  const query = apiQuery(state)
  const results = useQuery<Results>({
    queryKey: searchKey(query),
    queryFn: ({ signal }) => runSearch(query, state.q, signal),
    placeholderData: keepPreviousData,
  })

  const typed = text.trim()
  // Results first: suggestions are asked for once typing pauses (SUGGEST_PAUSE_MS), so a
  // keystroke costs the platform one search, not a search and a suggest competing for the
  // same CPUs; the shown suggestions stay until the next ones arrive.
  const [suggestFor] = useDebouncedValue(typed, SUGGEST_PAUSE_MS)
  const suggestions = useQuery({
    queryKey: ['suggest', suggestFor],
    queryFn: ({ signal }) => suggest(suggestFor, signal),
    enabled: suggestFor.length >= 2,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  })
  const suggestionList = typed.length >= 2 ? (suggestions.data?.suggestions ?? []) : []

  const choose = (item: Suggestion) => {
    if (item.kind === 'title' && item.id) {
      navigate(`/listings/${item.id}`)
    } else if (item.kind === 'city') {
      setText('')
      update({ q: '', city: [item.text] })
    } else {
      setText(item.text)
      update({ q: item.text })
    }
  }

  const data = results.data
  const hits = data?.results ?? NO_HITS
  const pages = data ? Math.min(Math.ceil(data.count / PAGE_SIZE), Math.floor(10_000 / PAGE_SIZE)) : 0
  const filterCount = activeFilterCount(state)
  const markers = useMemo(
    () =>
      hits
        .filter((hit) => hit.location)
        .map((hit) => ({
          id: hit.id,
          lat: hit.location!.lat,
          lon: hit.location!.lon,
          label: format.money(hit.monthly_price, hit.currency),
          title: `${hit.title}, ${format.money(hit.monthly_price, hit.currency)} a month`,
          active: hit.id === hovered,
        })),
    [hits, hovered, format],
  )
  const openListing = useCallback((id: string) => navigate(`/listings/${id}`), [navigate])
  const facets = data?.facets

  const filterPanel = <Filters state={filterState} facets={facets} update={update} />

  return (
    <Stack gap="md">
      <Box
        component="form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault()
          update({ q: text })
        }}
      >
        <Title order={1} size="h2" mb="sm">
          Find a place to rent
        </Title>
        <Group align="flex-end" wrap="nowrap" gap="sm">
          <SearchBox
            label="Search"
            placeholder="City, area or listing — e.g. 2bhk near cubbon park"
            value={text}
            onChange={onType}
            suggestions={suggestionList}
            onChoose={choose}
          />
          <Button type="submit">Search</Button>
        </Group>
      </Box>

      <Group justify="space-between" wrap="wrap" gap="sm">
        <Text aria-live="polite" role="status" fw={500} data-testid="result-count">
          {data
            ? `${format.number(data.count)} ${data.count === 1 ? 'listing' : 'listings'}`
            : results.isError
              ? ''
              : 'Searching…'}
        </Text>
        <Group gap="sm" wrap="wrap">
          {!wide && (
            <>
              <Button variant="default" onClick={filters.open}>
                Filters{filterCount ? ` (${filterCount})` : ''}
              </Button>
              <SegmentedControl
                value={view}
                onChange={(value) => setView(value as 'list' | 'map')}
                data={[
                  { value: 'list', label: 'List' },
                  { value: 'map', label: 'Map' },
                ]}
                aria-label="Show results as"
              />
            </>
          )}
          <NativeSelect
            label="Sort by"
            data={SORTS}
            value={state.sort || 'relevance'}
            onChange={(event) => update({ sort: event.currentTarget.value as SearchState['sort'] })}
            w={200}
          />
        </Group>
      </Group>

      {!wide && (
        <LazyDrawer opened={filtersOpen} onClose={filters.close} title="Filters" size="sm">
          {filterPanel}
          <Button fullWidth mt="md" onClick={filters.close}>
            Show {data ? format.number(data.count) : ''} listings
          </Button>
        </LazyDrawer>
      )}

      <div className="results-layout">
        {wide && <aside aria-label="Filters">{filterPanel}</aside>}
        {(wide || view === 'list') && (
          <section aria-label="Results" data-results-for={data?.q ?? ''} data-testid="results">
            {results.isError ? (
              <ErrorAlert error={results.error} title="Search is not available" />
            ) : !data ? (
              <CardsSkeleton />
            ) : hits.length === 0 ? (
              <EmptyState
                title="No listings match"
                action={
                  filterCount || state.q ? (
                    <Button
                      variant="light"
                      onClick={() => {
                        setText('')
                        setParams(writeSearch(EMPTY))
                      }}
                    >
                      Clear the search
                    </Button>
                  ) : undefined
                }
              >
                Try other words, or fewer filters.
              </EmptyState>
            ) : (
              <Stack gap="sm" style={{ opacity: results.isPlaceholderData ? 0.6 : 1 }}>
                {hits.map((hit, index) => (
                  <ListingCard
                    key={hit.id}
                    hit={hit}
                    priority={index < 2}
                    active={hit.id === hovered}
                    onHover={setHovered}
                  />
                ))}
                <Pager page={state.page} pages={pages} onChange={(page) => update({ page })} />
              </Stack>
            )}
          </section>
        )}
        {(wide || view === 'map') && (
          <div className="results-map">
            <LazyMap markers={markers} label="Map of the results" onSelect={openListing} />
          </div>
        )}
      </div>
    </Stack>
  )
}

const Filters = memo(function Filters({
  state,
  facets,
  update,
}: {
  state: SearchState
  facets: Results['facets'] | undefined
  update: (changes: Partial<SearchState>) => void
}) {
  const format = useFormat()
  const [minPrice, setMinPrice] = useState<string>(state.price_min)
  const [maxPrice, setMaxPrice] = useState<string>(state.price_max)
  // The URL changed the range (back button, a facet): the inputs follow, during render
  // (React's "adjusting state when a prop changes"), not in an effect a render later.
  const [shown, setShown] = useState({ min: state.price_min, max: state.price_max })
  if (shown.min !== state.price_min || shown.max !== state.price_max) {
    setShown({ min: state.price_min, max: state.price_max })
    setMinPrice(state.price_min)
    setMaxPrice(state.price_max)
  }
  const commitPrice = () => {
    if (minPrice !== state.price_min || maxPrice !== state.price_max) update({ price_min: minPrice, price_max: maxPrice })
  }
  const count = (list: { value: string; count: number }[] | undefined, value: string) =>
    list?.find((item) => item.value === value)?.count

  const cities = facets?.cities ?? []
  const cityOptions = [...new Set([...state.city, ...cities.slice(0, 8).map((c) => c.value)])]
  const types = [...new Set([...state.property_type, ...(facets?.property_types ?? []).map((t) => t.value)])]
  const amenities = [...new Set([...state.amenities, ...(facets?.amenities ?? []).map((a) => a.value)])]

  return (
    <Stack gap="md" data-testid="filters">
      <Fieldset legend="Monthly price" variant="unstyled">
        <Group grow gap="xs">
          <TextInput
            label="Min"
            type="number"
            inputMode="numeric"
            min={0}
            value={minPrice}
            onChange={(event) => setMinPrice(event.currentTarget.value)}
            onBlur={commitPrice}
            onKeyDown={(e) => e.key === 'Enter' && commitPrice()}
          />
          <TextInput
            label="Max"
            type="number"
            inputMode="numeric"
            min={0}
            value={maxPrice}
            onChange={(event) => setMaxPrice(event.currentTarget.value)}
            onBlur={commitPrice}
            onKeyDown={(e) => e.key === 'Enter' && commitPrice()}
          />
        </Group>
        {facets && facets.price_ranges.some((r) => r.count > 0) && (
          <Stack gap={2} mt="xs">
            {facets.price_ranges
              .filter((range) => range.count > 0)
              .map((range) => (
                <UnstyledButton
                  key={range.value}
                  onClick={() =>
                    update({
                      price_min: range.params.price_min ?? '',
                      price_max: range.params.price_max ?? '',
                    })
                  }
                  fz="sm"
                >
                  {range.to === null
                    ? `${format.number(range.from)}+`
                    : `${format.number(range.from)}–${format.number(range.to)}`}{' '}
                  <Text span c="dimmed" fz="sm">
                    ({range.count})
                  </Text>
                </UnstyledButton>
              ))}
          </Stack>
        )}
      </Fieldset>
      <NativeSelect
        label="Bedrooms"
        value={state.bedrooms_min || ''}
        onChange={(event) => update({ bedrooms_min: event.currentTarget.value })}
        data={[
          { value: '', label: 'Any' },
          { value: '1', label: '1+' },
          { value: '2', label: '2+' },
          { value: '3', label: '3+' },
          { value: '4', label: '4+' },
        ]}
      />
      <TextInput
        type="date"
        label="Move in by"
        value={state.move_in}
        onChange={(event) => update({ move_in: event.currentTarget.value })}
      />
      <Switch
        label="Only with free rooms"
        checked={state.available}
        onChange={(event) => update({ available: event.currentTarget.checked })}
      />
      <Box>
        <Text size="sm" fw={500} mb={4} id="furnished-label">
          Furnishing
        </Text>
        <SegmentedControl
          fullWidth
          aria-labelledby="furnished-label"
          value={state.furnished || 'any'}
          onChange={(value) => update({ furnished: value === 'any' ? '' : (value as 'true' | 'false') })}
          data={[
            { value: 'any', label: 'Any' },
            { value: 'true', label: 'Furnished' },
            { value: 'false', label: 'Unfurnished' },
          ]}
        />
      </Box>
      {cityOptions.length > 0 && (
        <Fieldset legend="City" variant="unstyled">
          <Stack gap={6}>
            {cityOptions.map((city) => (
              <Checkbox
                key={city}
                label={`${city} (${count(cities, city) ?? 0})`}
                checked={state.city.includes(city)}
                onChange={(event) =>
                  update({
                    city: event.currentTarget.checked
                      ? [...state.city, city]
                      : state.city.filter((c) => c !== city),
                  })
                }
              />
            ))}
          </Stack>
        </Fieldset>
      )}
      {types.length > 0 && (
        <Fieldset legend="Type" variant="unstyled">
          <Stack gap={6}>
            {types.map((type) => (
              <Checkbox
                key={type}
                label={`${typeLabel(type)} (${count(facets?.property_types, type) ?? 0})`}
                checked={state.property_type.includes(type)}
                onChange={(event) =>
                  update({
                    property_type: event.currentTarget.checked
                      ? [...state.property_type, type]
                      : state.property_type.filter((t) => t !== type),
                  })
                }
              />
            ))}
          </Stack>
        </Fieldset>
      )}
      {amenities.length > 0 && (
        <Fieldset legend="Amenities" variant="unstyled">
          <Stack gap={6}>
            {amenities.map((amenity) => (
              <Checkbox
                key={amenity}
                label={`${amenityLabel(amenity)} (${count(facets?.amenities, amenity) ?? 0})`}
                checked={state.amenities.includes(amenity)}
                onChange={(event) =>
                  update({
                    amenities: event.currentTarget.checked
                      ? [...state.amenities, amenity]
                      : state.amenities.filter((a) => a !== amenity),
                  })
                }
              />
            ))}
          </Stack>
        </Fieldset>
      )}
      {activeFilterCount(state) > 0 && (
        <Button variant="subtle" onClick={() => update(FILTERS_CLEARED)}>
          Clear filters
        </Button>
      )}
    </Stack>
  )
})
