// What either side can do to a visit: move it (the slot picker), cancel it with a
// reason; the landlord also confirms or declines a request.
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { cancelVisit, confirmVisit, declineVisit, rescheduleVisit } from '../api/visitsEndpoints'
import type { Visit } from '../api/types'
import { ErrorAlert } from './common'
import { IcsButton, SlotPicker, VisitTime } from './visits'

function useVisitChange<T>(fn: (arg: T) => Promise<Visit>, after?: () => void) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: fn,
    onSuccess: (visit) => {
      void client.invalidateQueries({ queryKey: ['visits'] })
      void client.invalidateQueries({ queryKey: ['visit-slots', visit.property_id] })
      after?.()
    },
  })
}

export function VisitActions({ visit, landlord = false }: { visit: Visit; landlord?: boolean }) {
  const active = visit.status === 'PENDING' || visit.status === 'CONFIRMED'
  const [now] = useState(Date.now)
  const ahead = Date.parse(visit.start) > now
  const confirm = useVisitChange(() => confirmVisit(visit.id))
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {landlord && visit.status === 'PENDING' && (
          <>
            <Button size="xs" onClick={() => confirm.mutate(undefined)} loading={confirm.isPending}>
              Confirm
            </Button>
            <Decline visit={visit} />
          </>
        )}
        {active && ahead && !landlord && <Reschedule visit={visit} />}
        {active && ahead && <Cancel visit={visit} />}
        {active && <IcsButton visit={visit} />}
      </Group>
      <ErrorAlert error={confirm.error} />
    </Stack>
  )
}

function Reason({
  title,
  label,
  action,
  color,
  required,
  run,
}: {
  title: string
  label: string
  action: string
  color?: string
  required: boolean
  run: (reason: string) => Promise<Visit>
}) {
  const [opened, { open, close }] = useDisclosure(false)
  const [reason, setReason] = useState('')
  const change = useVisitChange(run, close)
  return (
    <>
      <Button size="xs" variant="outline" color={color} onClick={open}>
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (!required || reason.trim()) change.mutate(reason.trim())
          }}
        >
          <Stack gap="md">
            <TextInput
              label={required ? 'Reason' : 'Reason (optional)'}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              required={required}
              data-autofocus
            />
            <ErrorAlert error={change.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Back
              </Button>
              <Button type="submit" color={color} loading={change.isPending} disabled={required && !reason.trim()}>
                {action}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  )
}

function Cancel({ visit }: { visit: Visit }) {
  return (
    <Reason
      title="Cancel this visit?"
      label="Cancel visit"
      action="Cancel visit"
      color="red"
      required
      run={(reason) => cancelVisit(visit.id, reason)}
    />
  )
}

function Decline({ visit }: { visit: Visit }) {
  return (
    <Reason
      title="Decline this request?"
      label="Decline"
      action="Decline"
      color="red"
      required={false}
      run={(reason) => declineVisit(visit.id, reason)}
    />
  )
}

function Reschedule({ visit }: { visit: Visit }) {
  const [opened, { open, close }] = useDisclosure(false)
  const move = useVisitChange((start: string) => rescheduleVisit(visit.id, start), close)
  return (
    <>
      <Button size="xs" variant="light" onClick={open}>
        Reschedule
      </Button>
      <Modal opened={opened} onClose={close} title="Move this visit" size="lg" centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack gap="md">
          <Text size="sm">Now:</Text>
          <VisitTime visit={visit} />
          {opened && (
            <SlotPicker propertyId={visit.property_id} onPick={(slot) => move.mutate(slot.start)} pickLabel="Move to" busy={move.isPending} />
          )}
          <ErrorAlert error={move.error} />
        </Stack>
      </Modal>
    </>
  )
}
