// The tenant's viewings: when (the property's time, and theirs when it differs), their
// status, move or cancel them, add one to a calendar, and the private calendar feed.
import { Anchor, Card, Group, Stack, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { listVisits } from '../../api/visitsEndpoints'
import { CardsSkeleton, EmptyState, ErrorAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { VisitActions } from '../../components/VisitActions'
import { CalendarFeed, VisitBadge, VisitTime } from '../../components/visits'
import { usePageTitle } from '../../lib/usePageTitle'
import { allPages } from '../../lib/pages'

export default function MyVisitsPage() {
  usePageTitle('My visits')
  return (
    <RequireAuth roles={['tenant', 'admin']}>
      <MyVisits />
    </RequireAuth>
  )
}

function MyVisits() {
  const visits = useQuery({ queryKey: ['visits', 'mine'], queryFn: () => allPages((page) => listVisits({ page })), refetchInterval: 30_000 })
  return (
    <Stack gap="lg">
      <Title order={1}>My visits</Title>
      {visits.isPending ? (
        <CardsSkeleton count={2} />
      ) : visits.isError ? (
        <ErrorAlert error={visits.error} />
      ) : visits.data.results.length === 0 ? (
        <EmptyState title="No visits yet">Open a listing and pick a viewing time.</EmptyState>
      ) : (
        <Stack gap="sm">
          {visits.data.results.map((visit) => (
            <Card key={visit.id} withBorder padding="md" data-visit-id={visit.id}>
              <Stack gap="xs">
                <Group justify="space-between" wrap="wrap">
                  <Anchor component={Link} to={`/listings/${visit.property_id}`} fw={600}>
                    {visit.property_title}
                  </Anchor>
                  <VisitBadge status={visit.status} />
                </Group>
                <VisitTime visit={visit} />
                {visit.reason && (
                  <Text size="sm" c="dimmed">
                    {visit.status === 'DECLINED' ? 'Declined' : 'Cancelled'}: {visit.reason}
                  </Text>
                )}
                <VisitActions visit={visit} />
              </Stack>
            </Card>
          ))}
        </Stack>
      )}
      <CalendarFeed />
    </Stack>
  )
}
