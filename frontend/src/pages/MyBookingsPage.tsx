import { Button, Stack, Title } from '@mantine/core'
import { Link } from 'react-router'
import { BookingList } from '../components/BookingList'
import { RequireAuth } from '../components/RequireAuth'
import { usePageTitle } from '../lib/usePageTitle'

export default function MyBookingsPage() {
  usePageTitle('My bookings')
  return (
    <RequireAuth roles={['tenant', 'admin']}>
      <Stack gap="md">
        <Title order={1}>My bookings</Title>
        <BookingList
          emptyText={
            <>
              Find a room you like and book it. <br />
              <Button component={Link} to="/" mt="sm">
                Search listings
              </Button>
            </>
          }
        />
      </Stack>
    </RequireAuth>
  )
}
