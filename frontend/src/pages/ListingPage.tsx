import {
  Badge,
  Button,
  Card,
  Group,
  List,
  SimpleGrid,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core'
import { useQueries, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { ApiError } from '../api/client'
import { getProperty, roomAvailability } from '../api/endpoints'
import type { Availability, Property, Room } from '../api/types'
import { ErrorAlert, NotFoundContent, PageSkeleton, PropertyBadge } from '../components/common'
import { LazyMap } from '../components/LazyMap'
import { MessageButton } from '../components/MessageButton'
import VisitRequest from '../components/VisitRequest'
import { useFormat } from '../lib/format'
import { amenityLabel, typeLabel } from '../lib/labels'
import { usePageTitle } from '../lib/usePageTitle'
import { useSession } from '../session/useSession'

export default function ListingPage() {
  const { id = '' } = useParams()
  const listing = useQuery({ queryKey: ['property', id], queryFn: ({ signal }) => getProperty(id, signal) })
  usePageTitle(listing.data?.title ?? 'Listing')
  if (listing.isPending) return <PageSkeleton />
  if (listing.isError) {
    if (listing.error instanceof ApiError && listing.error.status === 404) {
      return <NotFoundContent what="listing" />
    }
    return <ErrorAlert error={listing.error} />
  }
  return <Listing property={listing.data} />
}

function Gallery({ property }: { property: Property }) {
  const photos = [...property.photos].sort((a, b) => a.position - b.position)
  const [index, setIndex] = useState(() => Math.max(0, photos.findIndex((p) => p.is_cover)))
  if (photos.length === 0) {
    return (
      <div className="gallery-main" role="img" aria-label="No photos yet" style={{ display: 'grid', placeItems: 'center' }}>
        <Text c="dimmed">No photos yet</Text>
      </div>
    )
  }
  const current = photos[Math.min(index, photos.length - 1)]!
  return (
    <Stack gap="xs">
      <img
        className="gallery-main"
        src={current.url}
        alt={`${property.title}, photo ${index + 1} of ${photos.length}`}
        width={current.width}
        height={current.height}
        fetchPriority="high"
      />
      {photos.length > 1 && (
        <Group gap="xs" role="list" aria-label="Photos">
          {photos.map((photo, i) => (
            <UnstyledButton
              key={photo.id}
              role="listitem"
              onClick={() => setIndex(i)}
              aria-label={`Show photo ${i + 1}`}
              aria-current={i === index}
              style={{
                outline: i === index ? '3px solid var(--mantine-color-blue-8)' : undefined,
                borderRadius: 6,
              }}
            >
              <img className="gallery-thumb" src={photo.url} alt="" loading="lazy" />
            </UnstyledButton>
          ))}
        </Group>
      )}
    </Stack>
  )
}

function RoomCard({
  property,
  room,
  availability,
}: {
  property: Property
  room: Room
  availability: Availability | undefined
}) {
  const format = useFormat()
  const { user } = useSession()
  const free = availability?.bookable ? availability.available_units : 0
  const canBook = property.status === 'published' && free > 0 && (!user || user.role === 'tenant')
  return (
    <Card withBorder padding="md" component="article" data-room-id={room.id}>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={2}>
          <Title order={3} size="h4">
            {room.name}
          </Title>
          <Text>
            {format.money(room.monthly_price, room.currency)} a month · deposit{' '}
            {format.money(room.deposit, room.currency)}
          </Text>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="room-availability">
            {availability === undefined
              ? 'Checking availability…'
              : !availability.bookable
                ? 'Not taking bookings'
                : free > 0
                  ? `${free} of ${availability.total_units} free`
                  : 'Sold out'}
          </Text>
        </Stack>
        {canBook ? (
          <Button component={Link} to={`/listings/${property.id}/book/${room.id}`}>
            Book {room.name}
          </Button>
        ) : (
          availability !== undefined &&
          free === 0 && (
            <Badge color="red" variant="filled">
              Sold out
            </Badge>
          )
        )}
      </Group>
    </Card>
  )
}

function Listing({ property }: { property: Property }) {
  const format = useFormat()
  const { user } = useSession()
  // Live availability of every room, refreshed while the page is open.
  const availability = useQueries({
    queries: property.rooms.map((room) => ({
      queryKey: ['availability', room.id],
      queryFn: ({ signal }: { signal: AbortSignal }) => roomAvailability(room.id, signal),
      refetchInterval: 10_000,
      staleTime: 0,
      retry: false,
    })),
  })
  const address = property.address
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Group gap="sm">
          <Title order={1}>{property.title}</Title>
          {property.status !== 'published' && <PropertyBadge status={property.status} />}
        </Group>
        <Text c="dimmed">
          {[address.locality, address.city, address.state].filter(Boolean).join(', ')}
        </Text>
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Gallery property={property} />
        <Stack gap="sm">
          <Text fz="xl" fw={700}>
            {format.money(property.monthly_price, property.currency)}{' '}
            <Text span fw={400} c="dimmed">
              a month
            </Text>
          </Text>
          <Text>Deposit: {format.money(property.deposit, property.currency)}</Text>
          <Group gap="xs">
            <Badge variant="light" color="gray">
              {typeLabel(property.property_type)}
            </Badge>
            <Badge variant="light" color="gray">
              {property.bedrooms} bedrooms
            </Badge>
            <Badge variant="light" color="gray">
              {property.bathrooms} bathrooms
            </Badge>
            {property.area_sqft && (
              <Badge variant="light" color="gray">
                {format.number(property.area_sqft)} sq ft
              </Badge>
            )}
            <Badge variant="light" color="gray">
              {property.furnished ? 'Furnished' : 'Unfurnished'}
            </Badge>
          </Group>
          {property.available_from && <Text>Available from {format.day(property.available_from)}</Text>}
          {(!user || user.role === 'tenant') && (
            <MessageButton propertyId={property.id} label="Contact landlord" />
          )}
          {user?.role === 'landlord' && user.id === property.owner_id && (
            <Button component={Link} to={`/landlord/properties/${property.id}`} variant="light" w="fit-content">
              Edit this listing
            </Button>
          )}
        </Stack>
      </SimpleGrid>

      <section aria-labelledby="rooms-heading">
        <Title order={2} id="rooms-heading" mb="sm">
          Rooms
        </Title>
        {property.rooms.length === 0 ? (
          <Text c="dimmed">No rooms yet.</Text>
        ) : (
          <Stack gap="sm">
            {property.rooms.map((room, i) => (
              <RoomCard key={room.id} property={property} room={room} availability={availability[i]?.data} />
            ))}
          </Stack>
        )}
        {user && user.role !== 'tenant' && (
          <Text size="sm" c="dimmed" mt="xs">
            Sign in with a tenant account to book.
          </Text>
        )}
      </section>

      <VisitRequest property={property} />

      {property.description && (
        <section aria-labelledby="about-heading">
          <Title order={2} id="about-heading" mb="xs">
            About this place
          </Title>
          <Text style={{ whiteSpace: 'pre-line' }}>{property.description}</Text>
        </section>
      )}
      {property.amenities.length > 0 && (
        <section aria-labelledby="amenities-heading">
          <Title order={2} id="amenities-heading" mb="xs">
            Amenities
          </Title>
          <List spacing={4} style={{ columns: 2 }}>
            {property.amenities.map((code) => (
              <List.Item key={code}>{amenityLabel(code)}</List.Item>
            ))}
          </List>
        </section>
      )}
      {property.house_rules && (
        <section aria-labelledby="rules-heading">
          <Title order={2} id="rules-heading" mb="xs">
            House rules
          </Title>
          <Text style={{ whiteSpace: 'pre-line' }}>{property.house_rules}</Text>
        </section>
      )}
      {property.location && (
        <section aria-labelledby="location-heading">
          <Title order={2} id="location-heading" mb="xs">
            Location
          </Title>
          <Text mb="xs">
            {[address.line1, address.line2, address.locality, address.city, address.postal_code]
              .filter(Boolean)
              .join(', ')}
          </Text>
          <div style={{ height: 320 }}>
            <LazyMap
              label={`Map showing ${property.title}`}
              markers={[
                {
                  id: property.id,
                  lat: property.location.lat,
                  lon: property.location.lon,
                  label: format.money(property.monthly_price, property.currency),
                  title: property.title,
                  active: true,
                },
              ]}
              zoom={15}
            />
          </div>
        </section>
      )}
    </Stack>
  )
}
