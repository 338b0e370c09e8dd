// "Book a viewing" on a listing: the slot picker and the request.
import { Alert, Anchor, Stack, Title } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { newIdempotencyKey } from '../api/client'
import { requestVisit } from '../api/visitsEndpoints'
import type { Property, VisitSlot } from '../api/types'
import { useSession } from '../session/useSession'
import { ErrorAlert } from './common'
import { SignInToVisit, SlotPicker, VisitTime } from './visits'

export default function VisitRequest({ property }: { property: Property }) {
  const { user, status } = useSession()
  const client = useQueryClient()
  const [key, setKey] = useState(newIdempotencyKey)
  const request = useMutation({
    mutationFn: (slot: VisitSlot) => requestVisit(property.id, slot.start, key),
    onSuccess: () => {
      setKey(newIdempotencyKey())
      void client.invalidateQueries({ queryKey: ['visit-slots', property.id] })
      void client.invalidateQueries({ queryKey: ['visits'] })
    },
  })
  if (property.status !== 'published') return null
  const isOwner = user?.id === property.owner_id
  return (
    <section aria-labelledby="visit-heading">
      <Title order={2} id="visit-heading" mb="sm">
        Book a viewing
      </Title>
      {request.data ? (
        <Alert color="green" role="status" title={request.data.status === 'CONFIRMED' ? 'Viewing confirmed' : 'Viewing requested'} data-testid="visit-requested">
          <Stack gap={4}>
            <VisitTime visit={request.data} />
            <span>
              {request.data.status === 'CONFIRMED'
                ? 'See you there. '
                : 'The landlord confirms or declines it; you will see the answer '}
              <Anchor component={Link} to="/visits" c="inherit" underline="always" fw={600}>
                in your visits
              </Anchor>
              .
            </span>
          </Stack>
        </Alert>
      ) : status === 'signed-in' && user?.role === 'tenant' ? (
        <Stack gap="sm">
          <SlotPicker propertyId={property.id} onPick={(slot) => request.mutate(slot)} pickLabel="Request this viewing" busy={request.isPending} />
          <ErrorAlert error={request.error} />
        </Stack>
      ) : isOwner ? (
        <Alert color="gray">
          Set your viewing hours in{' '}
          <Anchor component={Link} to={`/landlord/visits?property=${property.id}`} c="inherit" underline="always" fw={600}>
            Visits
          </Anchor>
          .
        </Alert>
      ) : (
        <SignInToVisit />
      )}
    </section>
  )
}
