// The dev payment page: what the Checkout URL leads to on one machine, where Stripe's
// hosted page cannot be reached. Its buttons drive booking_service's payment simulator,
// which sends the signed webhook Stripe would send; the rest is the production path.
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate, useParams } from 'react-router'
import { getBooking, simulatePayment, type Outcome } from '../api/endpoints'
import { ErrorAlert, PageSkeleton } from '../components/common'
import { Countdown } from '../components/Countdown'
import { RequireAuth } from '../components/RequireAuth'
import { useFormat } from '../lib/format'
import { usePageTitle } from '../lib/usePageTitle'

export default function DevCheckoutPage() {
  return (
    <RequireAuth>
      <DevCheckout />
    </RequireAuth>
  )
}

function DevCheckout() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const client = useQueryClient()
  const format = useFormat()
  usePageTitle('Test payment')
  const booking = useQuery({ queryKey: ['booking', id], queryFn: ({ signal }) => getBooking(id, signal), staleTime: 0 })
  const pay = useMutation({
    mutationFn: (outcome: Outcome) => simulatePayment(id, outcome),
    onSuccess: (answer, outcome) => {
      client.setQueryData(['booking', id], answer.booking)
      if (outcome !== 'declined') navigate(`/bookings/${id}${outcome === 'paid' ? '?paid=1' : ''}`)
    },
  })
  if (booking.isPending) return <PageSkeleton />
  if (booking.isError) return <ErrorAlert error={booking.error} />
  const b = booking.data
  const declined = pay.data?.booking.last_payment_error || b.last_payment_error
  return (
    <Stack maw={560} gap="md">
      <Alert color="blue" title="Development payment page">
        Stripe's checkout can't be reached from this machine. These buttons send the webhook
        Stripe would send, signed like Stripe's.
      </Alert>
      <Title order={1}>Pay for your booking</Title>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Text fz="xl" fw={700}>
            {format.money(b.amount, b.currency)}
          </Text>
          <Text size="sm" c="dimmed">
            First month and deposit for {b.quantity} unit{b.quantity === 1 ? '' : 's'}, moving in{' '}
            {format.day(b.move_in_date)}.
          </Text>
          {b.status === 'PENDING' && b.expires_at && (
            <Group gap="xs">
              <Text>Hold ends in</Text>
              <Countdown until={b.expires_at} onEnd={() => void booking.refetch()} />
            </Group>
          )}
          {declined && (
            <Alert color="red" role="alert" title="Card declined">
              {declined}
            </Alert>
          )}
          <ErrorAlert error={pay.error} />
          {b.status === 'PENDING' ? (
            <Group>
              <Button onClick={() => pay.mutate('paid')} loading={pay.isPending && pay.variables === 'paid'}>
                Pay {format.money(b.amount, b.currency)}
              </Button>
              <Button variant="outline" color="red" onClick={() => pay.mutate('declined')} loading={pay.isPending && pay.variables === 'declined'}>
                Decline the card
              </Button>
              <Button variant="default" onClick={() => pay.mutate('expired')} loading={pay.isPending && pay.variables === 'expired'}>
                Let it expire
              </Button>
            </Group>
          ) : (
            <Button onClick={() => navigate(`/bookings/${id}`)} w="fit-content">
              This booking is {b.status.toLowerCase()}: see it
            </Button>
          )}
        </Stack>
      </Card>
    </Stack>
  )
}
