// The dev payment page for rent: where a payment goes on one machine, where Stripe's
// page cannot be reached. Its buttons drive rent's payment simulator, which sends the
// signed webhook Stripe would send; the rest is the production path.
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate, useParams } from 'react-router'
import { getPayment, simulateRentPayment } from '../../api/rentEndpoints'
import type { RentOutcome } from '../../api/types'
import { ErrorAlert, PageSkeleton } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { useFormat } from '../../lib/format'
import { usePageTitle } from '../../lib/usePageTitle'

export default function DevRentCheckoutPage() {
  return (
    <RequireAuth>
      <DevRentCheckout />
    </RequireAuth>
  )
}

function DevRentCheckout() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const client = useQueryClient()
  const format = useFormat()
  usePageTitle('Test rent payment')
  const payment = useQuery({ queryKey: ['rent-payment', id], queryFn: () => getPayment(id), staleTime: 0 })
  const pay = useMutation({
    mutationFn: (outcome: RentOutcome) => simulateRentPayment(id, outcome),
    onSuccess: (answer, outcome) => {
      client.setQueryData(['rent-payment', id], answer.payment)
      void client.invalidateQueries({ queryKey: ['leases'] })
      void client.invalidateQueries({ queryKey: ['invoices'] })
      void client.invalidateQueries({ queryKey: ['rent-payments'] })
      if (outcome === 'succeeded') navigate(`/rent?paid=${id}`)
    },
  })
  if (payment.isPending) return <PageSkeleton />
  if (payment.isError) return <ErrorAlert error={payment.error} />
  const p = payment.data
  return (
    <Stack maw={560} gap="md">
      <Alert color="blue" title="Development payment page">
        Stripe's payment page can't be reached from this machine. These buttons send the
        webhook Stripe would send, signed like Stripe's.
      </Alert>
      <Title order={1}>Pay your rent</Title>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Text fz="xl" fw={700}>
            {format.money(p.amount, p.currency)}
          </Text>
          {p.failure_message && (
            <Alert color="red" role="alert" title="Card declined">
              {p.failure_message}
            </Alert>
          )}
          <ErrorAlert error={pay.error} />
          {p.status === 'pending' ? (
            <Group>
              <Button onClick={() => pay.mutate('succeeded')} loading={pay.isPending && pay.variables === 'succeeded'}>
                Pay {format.money(p.amount, p.currency)}
              </Button>
              <Button
                variant="outline"
                color="red"
                onClick={() => pay.mutate('failed')}
                loading={pay.isPending && pay.variables === 'failed'}
              >
                Decline the card
              </Button>
            </Group>
          ) : (
            <Button onClick={() => navigate('/rent')} w="fit-content">
              This payment {p.status === 'succeeded' ? 'went through' : `is ${p.status}`}: back to my rent
            </Button>
          )}
        </Stack>
      </Card>
    </Stack>
  )
}
