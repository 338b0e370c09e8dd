// Visits: the slot picker (the property's local times, with the viewer's own time when
// their clock reads differently), a visit's time line, .ics and the calendar feed.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Chip,
  CopyButton,
  Group,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { calendarFeed, downloadVisitIcs, visitSlots } from '../api/visitsEndpoints'
import type { Visit, VisitSlot, VisitStatus } from '../api/types'
import { usePreferences } from '../lib/format'
import { dateTimeIn, dayHeading, groupSlotsByDay, timeIn, viewerTime, VISIT_STATUS } from '../lib/visits'
import { ErrorAlert } from './common'

export function VisitBadge({ status }: { status: VisitStatus }) {
  const info = VISIT_STATUS[status]
  return (
    // Wraps instead of cutting "Awaiting confirmation" short in a narrow calendar day.
    <Badge
      color={info.color}
      variant="light"
      data-status={status}
      maw="100%"
      styles={{ root: { height: 'auto', paddingBlock: 2 }, label: { whiteSpace: 'normal', overflow: 'visible' } }}
    >
      {info.label}
    </Badge>
  )
}

/** A visit's time in the property's zone, and the viewer's own when it differs. */
export function VisitTime({ visit }: { visit: Pick<Visit, 'start' | 'time_zone'> }) {
  const prefs = usePreferences()
  const mine = viewerTime(visit.start, visit.time_zone, prefs.timeZone, prefs.locale)
  return (
    <Text>
      {dateTimeIn(visit.start, visit.time_zone, prefs.locale)}
      {mine && (
        <Text span c="dimmed" size="sm">
          {' '}
          ({mine} your time)
        </Text>
      )}
    </Text>
  )
}

/** The free slots of a property, by its local day; `onPick` gets the chosen slot. */
export function SlotPicker({
  propertyId,
  onPick,
  pickLabel,
  busy,
}: {
  propertyId: string
  onPick: (slot: VisitSlot) => void
  pickLabel: string
  busy?: boolean
}) {
  const prefs = usePreferences()
  const slots = useQuery({
    queryKey: ['visit-slots', propertyId],
    queryFn: () => visitSlots(propertyId),
    staleTime: 15_000,
    retry: false,
  })
  const [day, setDay] = useState<string | null>(null)
  const [chosen, setChosen] = useState<string | null>(null)
  if (slots.isPending) return <Text c="dimmed">Loading viewing times…</Text>
  if (slots.isError) return <ErrorAlert error={slots.error} />
  const zone = slots.data.time_zone
  const days = groupSlotsByDay(slots.data.slots.filter((s) => s.remaining > 0))
  if (days.length === 0) {
    return <Text c="dimmed">No viewing times are open in the next two weeks.</Text>
  }
  const current = days.find((d) => d.date === day) ?? days[0]!
  const slot = current.slots.find((s) => s.start === chosen) ?? null
  const differs = viewerTime(current.slots[0]!.start, zone, prefs.timeZone, prefs.locale) !== null
  return (
    <Stack gap="sm" data-testid="slot-picker">
      <Text size="sm" c="dimmed">
        Times are the property's ({zone}){differs ? `; yours (${prefs.timeZone}) in brackets` : ''}.{' '}
        {slots.data.visit_minutes}-minute visits{slots.data.auto_confirm ? ', confirmed at once' : ', confirmed by the landlord'}.
      </Text>
      <ScrollArea type="auto" offsetScrollbars>
        <Chip.Group
          value={current.date}
          onChange={(v) => {
            setDay(v as string)
            setChosen(null)
          }}
        >
          <Group gap="xs" wrap="nowrap" role="group" aria-label="Day">
            {days.map((d) => (
              <Chip key={d.date} value={d.date} variant="outline">
                {dayHeading(d.date, prefs.locale)}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </ScrollArea>
      <Chip.Group value={chosen ?? ''} onChange={(v) => setChosen(v as string)}>
        <Group gap="xs" role="group" aria-label={`Times on ${dayHeading(current.date, prefs.locale)}`}>
          {current.slots.map((s) => {
            const mine = viewerTime(s.start, zone, prefs.timeZone, prefs.locale)
            return (
              <Chip key={s.start} value={s.start} data-slot={s.local_start}>
                {timeIn(s.start, zone, prefs.locale)}
                {mine ? ` (${mine})` : ''}
                {s.kind === 'open_house' ? ` · open house, ${s.remaining} left` : ''}
              </Chip>
            )
          })}
        </Group>
      </Chip.Group>
      <Button w="fit-content" disabled={!slot} loading={busy} onClick={() => slot && onPick(slot)}>
        {slot ? `${pickLabel}: ${dayHeading(current.date, prefs.locale)}, ${timeIn(slot.start, zone, prefs.locale)}` : pickLabel}
      </Button>
    </Stack>
  )
}

export function IcsButton({ visit }: { visit: Visit }) {
  const download = useMutation({ mutationFn: () => downloadVisitIcs(visit.id) })
  return (
    <>
      <Button size="xs" variant="light" onClick={() => download.mutate()} loading={download.isPending}>
        Add to calendar (.ics)
      </Button>
      <ErrorAlert error={download.error} />
    </>
  )
}

/** The private calendar feed: made (or rotated) on request, shown once. */
export function CalendarFeed() {
  const feed = useMutation({ mutationFn: calendarFeed })
  return (
    <Stack gap="xs" component="section" aria-labelledby="feed-heading">
      <Title order={2} size="h4" id="feed-heading">
        Calendar feed
      </Title>
      <Text size="sm" c="dimmed">
        A private address your calendar app can subscribe to: your visits appear and stay up
        to date. Anyone with the address sees them; making a new one retires the old one.
      </Text>
      {feed.data ? (
        <Group gap="xs" align="flex-end">
          <TextInput
            label="Your feed address"
            readOnly
            value={feed.data.url}
            style={{ flex: 1, minWidth: 240 }}
            data-testid="feed-url"
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton value={feed.data.url}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      ) : null}
      <Button variant="default" w="fit-content" onClick={() => feed.mutate()} loading={feed.isPending}>
        {feed.data ? 'Make a new address' : 'Get my feed address'}
      </Button>
      <ErrorAlert error={feed.error} />
    </Stack>
  )
}

export function SignInToVisit() {
  return (
    <Alert color="gray">
      <Anchor component={Link} to="/login" c="inherit" underline="always" fw={600}>
        Sign in
      </Anchor>{' '}
      with a tenant account to ask for a viewing.
    </Alert>
  )
}
