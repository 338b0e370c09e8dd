import { Anchor, Button, Card, Group, Image, Modal, Stack, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { deleteProperty, myProperties, publishProperty, unpublishProperty } from '../../api/endpoints'
import type { Property } from '../../api/types'
import { CardsSkeleton, EmptyState, ErrorAlert, PropertyBadge } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { useFormat } from '../../lib/format'
import { usePageTitle } from '../../lib/usePageTitle'
import { allPages } from '../../lib/pages'

export default function PropertiesPage() {
  usePageTitle('My properties')
  return (
    <RequireAuth roles={['landlord', 'admin']}>
      <Properties />
    </RequireAuth>
  )
}

function Properties() {
  const list = useQuery({ queryKey: ['my-properties'], queryFn: () => allPages(myProperties) })
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>My properties</Title>
        <Button component={Link} to="/landlord/properties/new">
          New listing
        </Button>
      </Group>
      {list.isError ? (
        <ErrorAlert error={list.error} />
      ) : list.isPending ? (
        <CardsSkeleton count={3} />
      ) : list.data.results.length === 0 ? (
        <EmptyState
          title="No listings yet"
          action={
            <Button component={Link} to="/landlord/properties/new">
              Create your first listing
            </Button>
          }
        >
          A listing takes a few minutes: details, photos, rooms, then publish.
        </EmptyState>
      ) : (
        <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {list.data.results.map((property) => (
            <li key={property.id}>
              <PropertyRow property={property} />
            </li>
          ))}
        </Stack>
      )}
    </Stack>
  )
}

function PropertyRow({ property }: { property: Property }) {
  const format = useFormat()
  const client = useQueryClient()
  const [confirming, confirm] = useDisclosure(false)
  const [error, setError] = useState<unknown>(null)
  const refresh = (updated?: Property) => {
    if (updated) client.setQueryData(['property', updated.id], updated)
    client.invalidateQueries({ queryKey: ['my-properties'] })
  }
  const toggle = useMutation({
    mutationFn: () =>
      property.status === 'published' ? unpublishProperty(property.id) : publishProperty(property.id),
    onSuccess: refresh,
    onError: setError,
  })
  const remove = useMutation({
    mutationFn: () => deleteProperty(property.id),
    onSuccess: () => {
      confirm.close()
      refresh()
    },
    onError: setError,
  })
  return (
    <Card withBorder padding="md" data-property-id={property.id}>
      <Group wrap="nowrap" align="flex-start" gap="md">
        {property.cover_photo_url ? (
          <Image src={property.cover_photo_url} alt="" w={112} h={84} radius="sm" fit="cover" />
        ) : (
          <div style={{ width: 112, height: 84, background: 'var(--mantine-color-gray-1)', borderRadius: 4 }} />
        )}
        <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
          <Group gap="xs">
            <Anchor component={Link} to={`/landlord/properties/${property.id}`} fw={600}>
              {property.title}
            </Anchor>
            <PropertyBadge status={property.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {[property.address.locality, property.address.city].filter(Boolean).join(', ')} ·{' '}
            {property.rooms.length} room type{property.rooms.length === 1 ? '' : 's'} · {property.photos.length} photo
            {property.photos.length === 1 ? '' : 's'} · {format.money(property.monthly_price, property.currency)} a month
          </Text>
          {error ? <ErrorAlert error={error} /> : null}
          <Group gap="xs" mt={4}>
            <Button size="xs" variant="light" component={Link} to={`/landlord/properties/${property.id}`}>
              Edit
            </Button>
            {property.status === 'published' && (
              <Button size="xs" variant="subtle" component={Link} to={`/listings/${property.id}`}>
                View
              </Button>
            )}
            <Button size="xs" variant="default" onClick={() => { setError(null); toggle.mutate() }} loading={toggle.isPending}>
              {property.status === 'published' ? 'Unpublish' : 'Publish'}
            </Button>
            <Button size="xs" variant="subtle" color="red" onClick={confirm.open}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Group>
      <Modal opened={confirming} onClose={confirm.close} title="Delete this listing?" centered closeButtonProps={{ "aria-label": "Close" }}>
        <Stack>
          <Text>
            “{property.title}” disappears from search and can't be restored. Existing bookings are kept.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close}>
              Keep it
            </Button>
            <Button color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  )
}
