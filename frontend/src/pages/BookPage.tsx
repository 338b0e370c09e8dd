// Booking a room: quantity and move-in date -> a hold (POST /api/bookings/, with an
// Idempotency-Key kept for retries of this attempt) -> the booking page with its countdown.
import { zodResolver } from '@hookform/resolvers/zod'
import { Alert, Button, Card, Group, NumberInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { Link, useNavigate, useParams } from 'react-router'
import { z } from 'zod'
import { ApiError, newIdempotencyKey } from '../api/client'
import { createBooking, getProperty, roomAvailability } from '../api/endpoints'
import { ErrorAlert, FormAlert, NotFoundContent, PageSkeleton } from '../components/common'
import { RequireAuth } from '../components/RequireAuth'
import { today, useFormat } from '../lib/format'
import { applyApiError } from '../lib/forms'
import { usePageTitle } from '../lib/usePageTitle'

const MAX_QUANTITY = 50
const MAX_ADVANCE_DAYS = 366

export default function BookPage() {
  return (
    <RequireAuth roles={['tenant']}>
      <Book />
    </RequireAuth>
  )
}

function Book() {
  const { id = '', roomId = '' } = useParams()
  const format = useFormat()
  const navigate = useNavigate()
  const client = useQueryClient()
  const [key, setKey] = useState(newIdempotencyKey)
  const [formError, setFormError] = useState<string | null>(null)
  const [soldOut, setSoldOut] = useState(false)
  const listing = useQuery({ queryKey: ['property', id], queryFn: ({ signal }) => getProperty(id, signal) })
  const availability = useQuery({
    queryKey: ['availability', roomId],
    queryFn: ({ signal }) => roomAvailability(roomId, signal),
    refetchInterval: 10_000,
    staleTime: 0,
  })
  usePageTitle('Book a room')
  const first = today(format.prefs.timeZone)
  const last = today(format.prefs.timeZone, MAX_ADVANCE_DAYS - 1)
  const free = availability.data?.bookable ? availability.data.available_units : 0

  const schema = z.object({
    quantity: z
      .number({ message: 'Enter how many units.' })
      .int()
      .min(1, 'At least one.')
      .max(Math.max(1, Math.min(MAX_QUANTITY, free || MAX_QUANTITY)), `At most ${Math.min(MAX_QUANTITY, free || MAX_QUANTITY)}.`),
    move_in_date: z
      .string()
      .min(1, 'Choose your move-in date.')
      .refine((d) => d >= first, 'The move-in date is in the past.')
      .refine((d) => d <= last, `At most ${MAX_ADVANCE_DAYS} days ahead.`),
  })
  type Values = z.infer<typeof schema>
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { quantity: 1, move_in_date: '' },
  })

  const hold = useMutation({
    mutationFn: (values: Values) => createBooking({ room_id: roomId, ...values }, key),
    onSuccess: (booking) => {
      client.setQueryData(['booking', booking.id], booking)
      client.invalidateQueries({ queryKey: ['availability', roomId] })
      navigate(`/bookings/${booking.id}`)
    },
    onError: (error) => {
      setKey(newIdempotencyKey()) // a new attempt is a new booking
      if (error instanceof ApiError && (error.code === 'sold_out' || error.code === 'not_bookable')) {
        setSoldOut(true)
        client.invalidateQueries({ queryKey: ['availability', roomId] })
        return
      }
      setFormError(applyApiError(error, form.setError, ['quantity', 'move_in_date', 'room_id']))
    },
  })

  const watchedQuantity = useWatch({ control: form.control, name: 'quantity' })

  if (listing.isPending) return <PageSkeleton />
  if (listing.isError) return <ErrorAlert error={listing.error} />
  const property = listing.data
  const room = property.rooms.find((r) => r.id === roomId)
  if (!room) return <NotFoundContent what="room" />
  const quantity = watchedQuantity || 0
  const monthly = Number(room.monthly_price) * quantity
  const deposit = Number(room.deposit) * quantity

  return (
    <Stack maw={640} gap="md">
      <Title order={1}>Book {room.name}</Title>
      <Text>
        <Link to={`/listings/${property.id}`}>{property.title}</Link>
      </Text>
      {soldOut || (availability.data && free === 0) ? (
        <Alert color="orange" title="Sold out" role="alert" data-testid="sold-out">
          Every unit of this room has just been taken. Other rooms or listings may still be free.
          <Group mt="sm">
            <Button component={Link} to={`/listings/${property.id}`} variant="white">
              Back to the listing
            </Button>
            <Button component={Link} to="/" variant="subtle">
              Search again
            </Button>
          </Group>
        </Alert>
      ) : (
        <Card withBorder padding="lg" component="form" noValidate onSubmit={form.handleSubmit((v) => {
          setFormError(null)
          hold.mutate(v)
        })}>
          <Stack gap="md">
            <Text size="sm" c="dimmed" aria-live="polite">
              {availability.data ? `${free} of ${availability.data.total_units} units free right now` : 'Checking availability…'}
            </Text>
            <FormAlert message={formError} />
            <Controller
              control={form.control}
              name="quantity"
              render={({ field, fieldState }) => (
                <NumberInput
                  label="Units"
                  description="How many of this room you want"
                  min={1}
                  max={Math.min(MAX_QUANTITY, free || MAX_QUANTITY)}
                  allowDecimal={false}
                  value={field.value}
                  onChange={(value) => field.onChange(typeof value === 'number' ? value : Number(value) || 0)}
                  onBlur={field.onBlur}
                  error={fieldState.error?.message}
                  required
                />
              )}
            />
            <TextInput
              type="date"
              label="Move-in date"
              min={first}
              max={last}
              required
              error={form.formState.errors.move_in_date?.message}
              {...form.register('move_in_date')}
            />
            <Stack gap={2}>
              <Text>First month: {format.money(monthly, room.currency)}</Text>
              <Text>Deposit: {format.money(deposit, room.currency)}</Text>
              <Text fw={700}>To pay now: {format.money(monthly + deposit, room.currency)}</Text>
            </Stack>
            <Text size="sm" c="dimmed">
              The units are held for you for 10 minutes while you pay.
            </Text>
            <Button type="submit" loading={hold.isPending}>
              Hold and continue to payment
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  )
}
