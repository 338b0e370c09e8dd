// The landlord's viewings: a week calendar of a property's requests to confirm or
// decline, the viewing-hours editor (weekly hours, exceptions, visit length, buffers,
// capacity, notice, horizon, daily cap, auto-confirm), and the private calendar feed.
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Switch,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { ApiError } from '../../api/client'
import { myProperties } from '../../api/endpoints'
import { getVisitAvailability, listVisits, putVisitAvailability } from '../../api/visitsEndpoints'
import type { AvailabilityInput, DateException, VisitAvailability, WeeklyRule } from '../../api/types'
import { CardsSkeleton, EmptyState, ErrorAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { VisitActions } from '../../components/VisitActions'
import { CalendarFeed, VisitBadge } from '../../components/visits'
import { today, usePreferences } from '../../lib/format'
import { usePageTitle } from '../../lib/usePageTitle'
import { dayHeading, localDateOf, timeIn, viewerTime, weekOf, WEEKDAYS } from '../../lib/visits'
import { allPages } from '../../lib/pages'

export default function LandlordVisitsPage() {
  usePageTitle('Visits')
  return (
    <RequireAuth roles={['landlord', 'admin']}>
      <LandlordVisits />
    </RequireAuth>
  )
}

function LandlordVisits() {
  const [params, setParams] = useSearchParams()
  const properties = useQuery({ queryKey: ['my-properties', 'all'], queryFn: () => allPages(myProperties) })
  if (properties.isPending) return <CardsSkeleton count={1} />
  if (properties.isError) return <ErrorAlert error={properties.error} />
  const list = properties.data.results
  if (list.length === 0) {
    return <EmptyState title="No listings yet">Viewings are per listing: create one first.</EmptyState>
  }
  const propertyId = list.some((p) => p.id === params.get('property')) ? params.get('property')! : list[0]!.id
  return (
    <Stack gap="md">
      <Title order={1}>Visits</Title>
      <NativeSelect
        label="Property"
        maw={480}
        value={propertyId}
        onChange={(e) => setParams({ property: e.currentTarget.value }, { replace: true })}
        data={list.map((p) => ({ value: p.id, label: p.title }))}
      />
      <Tabs defaultValue="requests" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="requests">Requests</Tabs.Tab>
          <Tabs.Tab value="hours">Viewing hours</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="requests" pt="md">
          <WeekCalendar key={propertyId} propertyId={propertyId} />
        </Tabs.Panel>
        <Tabs.Panel value="hours" pt="md">
          <HoursEditor key={propertyId} propertyId={propertyId} />
        </Tabs.Panel>
      </Tabs>
      <CalendarFeed />
    </Stack>
  )
}

// --- the week calendar ---------------------------------------------------------------------

function WeekCalendar({ propertyId }: { propertyId: string }) {
  const prefs = usePreferences()
  // null: the week of the next request awaiting an answer (this week when none).
  const [chosenWeek, setWeek] = useState<number | null>(null)
  const [openedAt] = useState(Date.now) // "the next request" as of opening the page
  const availability = useQuery({
    queryKey: ['visit-availability', propertyId],
    queryFn: () => getVisitAvailability(propertyId),
    retry: false,
  })
  const visits = useQuery({
    queryKey: ['visits', 'property', propertyId],
    queryFn: () => allPages((page) => listVisits({ property_id: propertyId, page })),
    refetchInterval: 30_000,
  })
  if (visits.isError) return <ErrorAlert error={visits.error} />
  if (visits.isPending) return <CardsSkeleton count={1} />
  const zone = availability.data?.time_zone ?? visits.data.results[0]?.time_zone ?? prefs.timeZone
  const now = today(zone)
  const next = visits.data.results
    .filter((v) => v.status === 'PENDING' && Date.parse(v.start) > openedAt)
    .sort((a, b) => a.start.localeCompare(b.start))[0]
  const week = chosenWeek ?? (next ? weeksBetween(now, localDateOf(next.local_start)) : 0)
  const days = weekOf(now, week)
  const pending = visits.data.results.filter((v) => v.status === 'PENDING').length
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setWeek(week - 1)} aria-label="Previous week">
            ‹
          </Button>
          <Title order={2} size="h4">
            Week of {dayHeading(days[0]!, prefs.locale)}
          </Title>
          <Button size="xs" variant="default" onClick={() => setWeek(week + 1)} aria-label="Next week">
            ›
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          {pending} awaiting your answer · times in {zone}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 7 }} spacing="xs">
        {days.map((date) => {
          const items = visits.data.results
            .filter((v) => localDateOf(v.local_start) === date)
            .sort((a, b) => a.start.localeCompare(b.start))
          return (
            <Card key={date} withBorder padding="xs" component="section" aria-label={dayHeading(date, prefs.locale)} data-day={date}>
              <Text fw={600} size="sm" mb={4}>
                {dayHeading(date, prefs.locale)}
              </Text>
              {items.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No visits
                </Text>
              ) : (
                <Stack gap="xs">
                  {items.map((v) => {
                    const mine = viewerTime(v.start, zone, prefs.timeZone, prefs.locale)
                    return (
                      <Card key={v.id} padding={6} withBorder data-visit-id={v.id}>
                        <Stack gap={4}>
                          <Text size="sm" fw={600}>
                            {timeIn(v.start, zone, prefs.locale)}–{timeIn(v.end, zone, prefs.locale)}
                            {mine && ` (${mine})`}
                          </Text>
                          <Text size="xs">Tenant {v.tenant_id}</Text>
                          <VisitBadge status={v.status} />
                          <VisitActions visit={v} landlord />
                        </Stack>
                      </Card>
                    )
                  })}
                </Stack>
              )}
            </Card>
          )
        })}
      </SimpleGrid>
    </Stack>
  )
}

/** Whole weeks from the week holding `from` to the week holding `to`. */
function weeksBetween(from: string, to: string): number {
  const monday = (d: string) => Date.parse(`${weekOf(d)[0]}T00:00:00Z`)
  return Math.round((monday(to) - monday(from)) / (7 * 86_400_000))
}

// --- viewing hours ---------------------------------------------------------------------------

interface HoursState {
  visit_minutes: string
  buffer_before_minutes: string
  buffer_after_minutes: string
  min_notice_minutes: string
  horizon_days: string
  daily_cap: string
  auto_confirm: boolean
  weekly: { weekday: string; start: string; end: string; capacity: string }[]
  exceptions: { date: string; closed: boolean; start: string; end: string; capacity: string }[]
}

const hhmm = (t: string | null | undefined) => (t ?? '').slice(0, 5)

function toState(a: VisitAvailability): HoursState {
  return {
    visit_minutes: String(a.visit_minutes),
    buffer_before_minutes: String(a.buffer_before_minutes),
    buffer_after_minutes: String(a.buffer_after_minutes),
    min_notice_minutes: String(a.min_notice_minutes),
    horizon_days: String(a.horizon_days),
    daily_cap: a.daily_cap === null ? '' : String(a.daily_cap),
    auto_confirm: a.auto_confirm,
    weekly: a.weekly.map((w) => ({ weekday: String(w.weekday), start: hhmm(w.start), end: hhmm(w.end), capacity: String(w.capacity) })),
    exceptions: a.exceptions.map((x) => ({
      date: x.date,
      closed: x.closed,
      start: hhmm(x.start),
      end: hhmm(x.end),
      capacity: x.capacity === null ? '1' : String(x.capacity),
    })),
  }
}

function toInput(s: HoursState): AvailabilityInput {
  return {
    visit_minutes: Number(s.visit_minutes),
    buffer_before_minutes: Number(s.buffer_before_minutes),
    buffer_after_minutes: Number(s.buffer_after_minutes),
    min_notice_minutes: Number(s.min_notice_minutes),
    horizon_days: Number(s.horizon_days),
    daily_cap: s.daily_cap === '' ? null : Number(s.daily_cap),
    auto_confirm: s.auto_confirm,
    weekly: s.weekly.map(
      (w): WeeklyRule => ({
        weekday: Number(w.weekday) as WeeklyRule['weekday'],
        start: w.start,
        end: w.end,
        capacity: Number(w.capacity) || 1,
      }),
    ),
    exceptions: s.exceptions.map(
      (x): DateException =>
        x.closed ? { date: x.date, closed: true } : { date: x.date, start: x.start, end: x.end, capacity: Number(x.capacity) || 1 },
    ),
  }
}

function HoursEditor({ propertyId }: { propertyId: string }) {
  const availability = useQuery({
    queryKey: ['visit-availability', propertyId],
    queryFn: () => getVisitAvailability(propertyId),
    retry: false,
  })
  if (availability.isPending) return <CardsSkeleton count={1} />
  if (availability.isError) {
    if (availability.error instanceof ApiError && availability.error.status === 404) {
      return (
        <Alert color="orange" title="Not ready yet">
          The visits service hasn't heard of this listing yet (it learns of listings within
          seconds of a change). Try again in a moment.
        </Alert>
      )
    }
    return <ErrorAlert error={availability.error} />
  }
  return <HoursForm propertyId={propertyId} initial={availability.data} />
}

function HoursForm({ propertyId, initial }: { propertyId: string; initial: VisitAvailability }) {
  const client = useQueryClient()
  const [state, setState] = useState(() => toState(initial))
  const [saved, setSaved] = useState(false)
  const save = useMutation({
    mutationFn: () => putVisitAvailability(propertyId, toInput(state)),
    onSuccess: (answer) => {
      client.setQueryData(['visit-availability', propertyId], answer)
      void client.invalidateQueries({ queryKey: ['visit-slots', propertyId] })
      setState(toState(answer))
      setSaved(true)
    },
  })
  const set = (patch: Partial<HoursState>) => {
    setSaved(false)
    setState((s) => ({ ...s, ...patch }))
  }
  const fieldErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {}
  const fieldError = (path: string) => fieldErrors[path]?.join(' ')
  const number = (name: keyof HoursState, label: string, description?: string) => (
    <TextInput
      label={label}
      description={description}
      type="number"
      min={0}
      value={state[name] as string}
      onChange={(e) => set({ [name]: e.currentTarget.value } as Partial<HoursState>)}
      error={fieldError(name)}
    />
  )
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Hours are the property's local wall-clock times ({initial.time_zone}); slots follow
          them across daylight-saving changes.
        </Text>
        <section aria-labelledby="weekly-heading">
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4" id="weekly-heading">
              Weekly hours
            </Title>
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                onClick={() =>
                  set({ weekly: [1, 2, 3, 4, 5, 6, 7].map((d) => ({ weekday: String(d), start: '09:00', end: '18:00', capacity: '1' })) })
                }
              >
                Every day, 9:00–18:00
              </Button>
              <Button
                size="xs"
                variant="light"
                onClick={() => set({ weekly: [...state.weekly, { weekday: '1', start: '10:00', end: '17:00', capacity: '1' }] })}
              >
                Add hours
              </Button>
            </Group>
          </Group>
          <Text size="sm" c="dimmed" mb="xs">
            Capacity 1 is a private viewing; more makes each slot an open house for that many.
          </Text>
          {state.weekly.length === 0 && <Text c="dimmed">No weekly hours: no viewings are offered.</Text>}
          <Stack gap="xs">
            {state.weekly.map((w, i) => {
              const update = (patch: Partial<HoursState['weekly'][number]>) =>
                set({ weekly: state.weekly.map((x, j) => (j === i ? { ...x, ...patch } : x)) })
              return (
                <Group key={i} gap="xs" align="flex-end" data-weekly-row={i}>
                  <NativeSelect
                    label="Day"
                    value={w.weekday}
                    onChange={(e) => update({ weekday: e.currentTarget.value })}
                    data={WEEKDAYS.map((d, n) => ({ value: String(n + 1), label: d }))}
                    error={fieldError(`weekly.${i}.weekday`)}
                  />
                  <TextInput label="From" type="time" value={w.start} onChange={(e) => update({ start: e.currentTarget.value })} error={fieldError(`weekly.${i}.start`)} />
                  <TextInput label="To" type="time" value={w.end} onChange={(e) => update({ end: e.currentTarget.value })} error={fieldError(`weekly.${i}.end`)} />
                  <TextInput
                    label="Capacity"
                    type="number"
                    min={1}
                    w={150}
                    value={w.capacity}
                    onChange={(e) => update({ capacity: e.currentTarget.value })}
                    error={fieldError(`weekly.${i}.capacity`)}
                  />
                  <Button variant="subtle" color="red" onClick={() => set({ weekly: state.weekly.filter((_, j) => j !== i) })} aria-label={`Remove ${WEEKDAYS[Number(w.weekday) - 1]} ${w.start}–${w.end}`}>
                    Remove
                  </Button>
                </Group>
              )
            })}
          </Stack>
        </section>

        <section aria-labelledby="exceptions-heading">
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4" id="exceptions-heading">
              Exceptions
            </Title>
            <Button
              size="xs"
              variant="light"
              onClick={() => set({ exceptions: [...state.exceptions, { date: today(initial.time_zone, 1), closed: true, start: '10:00', end: '12:00', capacity: '1' }] })}
            >
              Add a date
            </Button>
          </Group>
          {state.exceptions.length === 0 && <Text c="dimmed">None: every date follows the weekly hours.</Text>}
          <Stack gap="xs">
            {state.exceptions.map((x, i) => {
              const update = (patch: Partial<HoursState['exceptions'][number]>) =>
                set({ exceptions: state.exceptions.map((y, j) => (j === i ? { ...y, ...patch } : y)) })
              return (
                <Group key={i} gap="xs" align="flex-end">
                  <TextInput label="Date" type="date" value={x.date} onChange={(e) => update({ date: e.currentTarget.value })} error={fieldError(`exceptions.${i}.date`)} />
                  <Checkbox label="Closed all day" checked={x.closed} onChange={(e) => update({ closed: e.currentTarget.checked })} mb={8} />
                  {!x.closed && (
                    <>
                      <TextInput label="From" type="time" value={x.start} onChange={(e) => update({ start: e.currentTarget.value })} error={fieldError(`exceptions.${i}.start`)} />
                      <TextInput label="To" type="time" value={x.end} onChange={(e) => update({ end: e.currentTarget.value })} error={fieldError(`exceptions.${i}.end`)} />
                      <TextInput label="Capacity" type="number" min={1} w={110} value={x.capacity} onChange={(e) => update({ capacity: e.currentTarget.value })} />
                    </>
                  )}
                  <Button variant="subtle" color="red" onClick={() => set({ exceptions: state.exceptions.filter((_, j) => j !== i) })} aria-label={`Remove the exception on ${x.date}`}>
                    Remove
                  </Button>
                </Group>
              )
            })}
          </Stack>
        </section>

        <section aria-labelledby="rules-heading">
          <Title order={2} size="h4" id="rules-heading" mb="xs">
            Visits
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {number('visit_minutes', 'Visit length (minutes)')}
            {number('buffer_before_minutes', 'Buffer before (minutes)')}
            {number('buffer_after_minutes', 'Buffer after (minutes)')}
            {number('min_notice_minutes', 'Minimum notice (minutes)')}
            {number('horizon_days', 'Bookable ahead (days)')}
            {number('daily_cap', 'Visits a day at most', 'Empty: no cap')}
          </SimpleGrid>
          <Switch
            mt="sm"
            label="Confirm requests automatically"
            checked={state.auto_confirm}
            onChange={(e) => set({ auto_confirm: e.currentTarget.checked })}
          />
        </section>
        <ErrorAlert error={save.error} />
        {saved && (
          <Alert color="green" role="status" title="Saved">
            Tenants see the new viewing times now.
          </Alert>
        )}
        <Button type="submit" w="fit-content" loading={save.isPending}>
          Save viewing hours
        </Button>
      </Stack>
    </form>
  )
}
