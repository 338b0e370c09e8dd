// Cancel with the refund shown first: the quote (GET .../cancel/) in a dialog, then the
// cancellation (POST, with an Idempotency-Key so a retry refunds once).
import { Alert, Button, Group, Loader, Modal, Stack, Text } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { newIdempotencyKey } from '../api/client'
import { cancelBooking, cancellationQuote } from '../api/endpoints'
import type { Booking } from '../api/types'
import { useFormat } from '../lib/format'
import { ErrorAlert } from './common'

export function CancelBooking({ booking, label = 'Cancel booking' }: { booking: Booking; label?: string }) {
  const [opened, { open, close }] = useDisclosure(false)
  const client = useQueryClient()
  const format = useFormat()
  const [key] = useState(newIdempotencyKey)
  const quote = useQuery({
    queryKey: ['quote', booking.id, booking.status],
    queryFn: () => cancellationQuote(booking.id),
    enabled: opened,
    staleTime: 0,
  })
  const cancel = useMutation({
    mutationFn: () => cancelBooking(booking.id, key),
    onSuccess: (updated) => {
      client.setQueryData(['booking', updated.id], updated)
      client.invalidateQueries({ queryKey: ['bookings'] })
      close()
    },
  })
  if (booking.status !== 'PENDING' && booking.status !== 'CONFIRMED') return null
  const q = quote.data
  return (
    <>
      <Button variant="outline" color="red" onClick={open}>
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title="Cancel this booking?" centered closeButtonProps={{ "aria-label": "Close" }}>
        <Stack gap="md">
          {quote.isPending ? (
            <Group>
              <Loader size="sm" aria-label="Working out the refund" />
              <Text>Working out your refund…</Text>
            </Group>
          ) : quote.isError ? (
            <ErrorAlert error={quote.error} />
          ) : q && !q.cancellable ? (
            <Alert color="orange" title="This booking can't be cancelled">
              {q.error?.message}
            </Alert>
          ) : q ? (
            <Text data-testid="refund-quote">
              {q.refund_policy === 'unpaid'
                ? 'Nothing has been paid yet: the held units are released at once.'
                : q.refund_policy === 'full'
                  ? `You get a full refund of ${format.money(q.refund_amount, q.currency)}.`
                  : `Under the cancellation policy, ${format.money(q.refund_amount, q.currency)} of the ${format.money(booking.amount_paid, booking.currency)} paid is refunded.`}
            </Text>
          ) : null}
          <ErrorAlert error={cancel.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep booking
            </Button>
            <Button
              color="red"
              onClick={() => cancel.mutate()}
              loading={cancel.isPending}
              disabled={!q?.cancellable}
            >
              Cancel booking
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}
