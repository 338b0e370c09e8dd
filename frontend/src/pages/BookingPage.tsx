import { Alert, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link, useNavigate, useParams } from 'react-router'
import { ApiError } from '../api/client'
import { getBooking, getProperty } from '../api/endpoints'
import type { Booking } from '../api/types'
import { CancelBooking } from '../components/CancelBooking'
import { MessageButton } from '../components/MessageButton'
import { BookingBadge, ErrorAlert, NotFoundContent, PageSkeleton } from '../components/common'
import { Countdown } from '../components/Countdown'
import { RequireAuth } from '../components/RequireAuth'
import { useFormat } from '../lib/format'
import { useSession } from '../session/useSession'
import { reasonLabel } from '../lib/labels'
import { usePageTitle } from '../lib/usePageTitle'

export default function BookingPage() {
  return (
    <RequireAuth>
      <BookingView />
    </RequireAuth>
  )
}

/** Follow a Checkout URL: ours (the dev payment page) inside the app, Stripe's outside. */
export function useGoToCheckout() {
  const navigate = useNavigate()
  return (url: string) => {
    const target = new URL(url, window.location.href)
    if (target.origin === window.location.origin) navigate(target.pathname + target.search)
    else window.location.assign(target.href)
  }
}

function BookingView() {
  const { id = '' } = useParams()
  const format = useFormat()
  const goToCheckout = useGoToCheckout()
  const { user } = useSession()
  const booking = useQuery({
    queryKey: ['booking', id],
    queryFn: ({ signal }) => getBooking(id, signal),
    // While it waits for the payment's webhook (or the hold's end), look again often.
    refetchInterval: (query) => (query.state.data?.status === 'PENDING' ? 2_000 : false),
    staleTime: 0,
  })
  const propertyId = booking.data?.property_id
  const property = useQuery({
    queryKey: ['property', propertyId],
    queryFn: ({ signal }) => getProperty(propertyId!, signal),
    enabled: Boolean(propertyId),
    retry: false,
  })
  usePageTitle('Your booking')
  if (booking.isPending) return <PageSkeleton />
  if (booking.isError) {
    if (booking.error instanceof ApiError && booking.error.status === 404) {
      return <NotFoundContent what="booking" />
    }
    return <ErrorAlert error={booking.error} />
  }
  const b: Booking = booking.data
  const checkoutUrl = b.checkout_url
  const room = property.data?.rooms.find((r) => r.id === b.room_id)
  const money = (amount: string) => format.money(amount, b.currency)
  return (
    <Stack gap="md" maw={760}>
      <Group gap="sm">
        <Title order={1}>Your booking</Title>
        <BookingBadge status={b.status} />
      </Group>
      {property.data && (
        <Text>
          <Link to={`/listings/${b.property_id}`}>{property.data.title}</Link>
          {room && ` · ${room.name}`}
        </Text>
      )}

      {b.status === 'PENDING' && (
        <Card withBorder padding="lg">
          <Stack gap="sm">
            <Text>Your units are held while you pay. Time left:</Text>
            {b.expires_at && <Countdown until={b.expires_at} onEnd={() => void booking.refetch()} />}
            {b.last_payment_error && (
              <Alert color="red" title="Payment declined" role="alert">
                {b.last_payment_error} You can try again before the hold ends.
              </Alert>
            )}
            {checkoutUrl ? (
              <Button onClick={() => goToCheckout(checkoutUrl)} w="fit-content" size="md">
                Pay {money(b.amount)}
              </Button>
            ) : (
              <Text c="dimmed">Preparing the payment page…</Text>
            )}
          </Stack>
        </Card>
      )}
      {b.status === 'CONFIRMED' && (
        <Alert color="green" title="Booking confirmed" role="status" data-testid="confirmed">
          Paid {money(b.amount_paid)}. Move in on {format.day(b.move_in_date)}.
        </Alert>
      )}
      {['EXPIRED', 'FAILED', 'CANCELLED', 'REFUNDED'].includes(b.status) && (
        <Alert color="gray" title="This booking has ended">
          {reasonLabel(b.reason)}
          {Number(b.amount_refunded) > 0 &&
            ` Refund: ${money(b.amount_refunded)} (${b.refund_status === 'succeeded' ? 'sent' : 'on its way'}).`}
        </Alert>
      )}

      <Card withBorder padding="lg">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Text>Units: {b.quantity}</Text>
          <Text>Move-in: {format.day(b.move_in_date)}</Text>
          <Text>First month: {money(b.monthly_amount)}</Text>
          <Text>Deposit: {money(b.deposit_amount)}</Text>
          <Text fw={700}>Total: {money(b.amount)}</Text>
          <Text>Paid: {money(b.amount_paid)}</Text>
          <Text size="sm" c="dimmed">
            Booked {format.instant(b.created_at)}
          </Text>
          <Text size="sm" c="dimmed">
            Reference {b.id.slice(0, 8)}
          </Text>
        </SimpleGrid>
      </Card>
      <Group align="flex-start">
        <CancelBooking booking={b} />
        <MessageButton
          propertyId={b.property_id}
          bookingId={b.id}
          tenantId={user?.id === b.tenant_id ? undefined : b.tenant_id}
          label={user?.id === b.tenant_id ? 'Message landlord' : 'Message tenant'}
        />
        <Button component={Link} to="/bookings" variant="subtle">
          All my bookings
        </Button>
      </Group>
    </Stack>
  )
}
