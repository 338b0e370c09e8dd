// "Contact landlord" (a listing) and "Message" (a booking): opens the conversation about
// that property, starting it if there is none yet (the chat API answers an existing one
// with 200), then goes to it.
import { Button, Stack, type ButtonProps } from '@mantine/core'
import { useMutation } from '@tanstack/react-query'
import { useLocation, useNavigate } from 'react-router'
import { startConversation } from '../api/chatEndpoints'
import { useSession } from '../session/useSession'
import { ErrorAlert } from './common'

export function MessageButton({
  propertyId,
  tenantId,
  bookingId,
  label,
  ...button
}: {
  propertyId: string
  /** Landlords name the tenant they write to; tenants leave it out. */
  tenantId?: string
  bookingId?: string
  label: string
} & ButtonProps) {
  const { status } = useSession()
  const navigate = useNavigate()
  const location = useLocation()
  const start = useMutation({
    mutationFn: () =>
      startConversation({
        property_id: propertyId,
        ...(tenantId ? { tenant_id: tenantId } : {}),
        ...(bookingId ? { booking_id: bookingId } : {}),
      }),
    onSuccess: (conversation) => navigate(`/messages/${conversation.id}`),
  })
  const onClick = () => {
    if (status !== 'signed-in') {
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`)
      return
    }
    start.mutate()
  }
  return (
    <Stack gap="xs" align="flex-start">
      <Button variant="light" {...button} onClick={onClick} loading={start.isPending}>
        {label}
      </Button>
      {start.isError && <ErrorAlert error={start.error} title="Could not open the conversation" />}
    </Stack>
  )
}
