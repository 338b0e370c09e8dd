import { Button, Container, Stack, Text, Title } from '@mantine/core'
import { isRouteErrorResponse, Link, useRouteError } from 'react-router'
import { ApiError } from '../api/client'
import { NotFoundContent } from './common'
import { OfflineContent } from '../pages/OfflinePage'

export function RouteError() {
  const error = useRouteError()
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundContent />
  if (error instanceof ApiError && error.status === 404) return <NotFoundContent />
  const offline =
    !navigator.onLine ||
    (error instanceof ApiError && error.offline) ||
    (error instanceof Error && /dynamically imported module|Failed to fetch|Importing a module/i.test(error.message))
  if (offline) return <OfflineContent />
  return (
    <Container size="sm" py="xl">
      <Stack role="alert">
        <Title order={1}>Something went wrong</Title>
        <Text>We could not show this page. Reloading usually helps.</Text>
        <Button onClick={() => window.location.reload()}>Reload</Button>
        <Button component={Link} to="/" variant="subtle">
          Go to search
        </Button>
      </Stack>
    </Container>
  )
}
