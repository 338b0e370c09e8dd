import { Button, Stack, Text, Title } from '@mantine/core'
import { usePageTitle } from '../lib/usePageTitle'

export function OfflineContent() {
  usePageTitle('Offline')
  return (
    <Stack py="xl" maw={560} role="alert">
      <Title order={1}>You're offline</Title>
      <Text>
        RentEzy can't be reached right now. Check your connection; this page will work again
        as soon as you're back online.
      </Text>
      <Button onClick={() => window.location.reload()} w="fit-content">
        Try again
      </Button>
    </Stack>
  )
}

export default function OfflinePage() {
  return <OfflineContent />
}
