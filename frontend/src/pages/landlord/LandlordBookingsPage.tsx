import { Stack, Text, Title } from '@mantine/core'
import { BookingList } from '../../components/BookingList'
import { RequireAuth } from '../../components/RequireAuth'
import { usePageTitle } from '../../lib/usePageTitle'

export default function LandlordBookingsPage() {
  usePageTitle('Bookings of my properties')
  return (
    <RequireAuth roles={['landlord', 'admin']}>
      <Stack gap="md">
        <Title order={1}>Bookings of my properties</Title>
        <Text c="dimmed">Cancelling a confirmed booking refunds the tenant in full.</Text>
        <BookingList landlord emptyText="When tenants book your rooms, their bookings appear here." />
      </Stack>
    </RequireAuth>
  )
}
