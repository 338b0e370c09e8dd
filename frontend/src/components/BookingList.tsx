import { Anchor, Card, Group, Select, Stack, Text } from '@mantine/core'
import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { getProperty, listBookings } from '../api/endpoints'
import type { Booking, BookingStatus } from '../api/types'
import { useFormat } from '../lib/format'
import { BOOKING_STATUS } from '../lib/labels'
import { CancelBooking } from './CancelBooking'
import { MessageButton } from './MessageButton'
import { Pager } from './Pager'
import { BookingBadge, CardsSkeleton, EmptyState, ErrorAlert } from './common'

const STATUSES = Object.entries(BOOKING_STATUS).map(([value, info]) => ({ value, label: info.label }))

export function BookingList({ emptyText, landlord = false }: { emptyText: React.ReactNode; landlord?: boolean }) {
  const [params, setParams] = useSearchParams()
  const status = (params.get('status') ?? '') as BookingStatus | ''
  const page = Number(params.get('page') ?? '1') || 1
  const bookings = useQuery({
    queryKey: ['bookings', status, page],
    queryFn: () => listBookings({ status, page }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  })
  const propertyIds = [...new Set((bookings.data?.results ?? []).map((b) => b.property_id))]
  const properties = useQueries({
    queries: propertyIds.map((id) => ({
      queryKey: ['property', id],
      queryFn: () => getProperty(id),
      retry: false,
      staleTime: 60_000,
    })),
  })
  const titles = new Map(propertyIds.map((id, i) => [id, properties[i]?.data]))
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params)
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v)
      else next.delete(k)
    }
    setParams(next)
  }
  const pages = bookings.data ? Math.ceil(bookings.data.count / 20) : 0
  return (
    <Stack gap="md">
      <Select
        label="Status"
        data={[{ value: '', label: 'All' }, ...STATUSES]}
        value={status}
        onChange={(value) => set({ status: value ?? '', page: '' })}
        allowDeselect={false}
        maw={240}
      />
      {bookings.isError ? (
        <ErrorAlert error={bookings.error} />
      ) : !bookings.data ? (
        <CardsSkeleton count={3} />
      ) : bookings.data.results.length === 0 ? (
        <EmptyState title={status ? 'No bookings with this status' : 'No bookings yet'}>{emptyText}</EmptyState>
      ) : (
        <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {bookings.data.results.map((booking) => (
            <li key={booking.id}>
              <BookingRow
                booking={booking}
                property={titles.get(booking.property_id)}
                landlord={landlord}
              />
            </li>
          ))}
        </Stack>
      )}
      <Pager page={page} pages={pages} onChange={(p) => set({ page: String(p) })} />
    </Stack>
  )
}

function BookingRow({
  booking,
  property,
  landlord,
}: {
  booking: Booking
  property: { title: string; rooms: { id: string; name: string }[] } | undefined
  landlord: boolean
}) {
  const format = useFormat()
  const room = property?.rooms.find((r) => r.id === booking.room_id)
  return (
    <Card withBorder padding="md" data-booking-id={booking.id}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Group gap="xs">
            <Anchor component={Link} to={`/bookings/${booking.id}`} fw={600}>
              {property?.title ?? 'Booking'}
              {room ? ` · ${room.name}` : ''}
            </Anchor>
            <BookingBadge status={booking.status} />
          </Group>
          <Text size="sm">
            {booking.quantity} unit{booking.quantity === 1 ? '' : 's'} · move-in {format.day(booking.move_in_date)} ·{' '}
            {format.money(booking.amount, booking.currency)}
          </Text>
          <Text size="sm" c="dimmed">
            {landlord ? `Tenant #${booking.tenant_id} · ` : ''}booked {format.instant(booking.created_at)}
            {Number(booking.amount_refunded) > 0 &&
              ` · refunded ${format.money(booking.amount_refunded, booking.currency)}`}
          </Text>
        </Stack>
        <Group gap="xs" align="flex-start">
          <MessageButton
            propertyId={booking.property_id}
            bookingId={booking.id}
            tenantId={landlord ? booking.tenant_id : undefined}
            label={landlord ? 'Message tenant' : 'Message landlord'}
            aria-label={`${landlord ? 'Message tenant' : 'Message landlord'} about ${property?.title ?? 'this booking'}`}
          />
          <CancelBooking booking={booking} label={landlord ? 'Cancel and refund' : 'Cancel'} />
        </Group>
      </Group>
    </Card>
  )
}
