import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core'
import { memo } from 'react'
import { Link } from 'react-router'
import type { SearchHit } from '../api/types'
import { useFormat } from '../lib/format'
import { typeLabel } from '../lib/labels'

interface Props {
  hit: SearchHit
  priority?: boolean
  active?: boolean
  onHover?: (id: string | null) => void
}

/** Memoised: while a person types, the page re-renders for the box and for the URL;
 * a card re-renders only when its own hit (new results) or its highlight changes. */
export const ListingCard = memo(function ListingCard({ hit, priority, active, onHover }: Props) {
  const format = useFormat()
  // The search service escapes the listing's text and marks matches with <mark>: safe.
  const title = hit.highlight?.title?.[0]
  return (
    <Card
      component="article"
      withBorder
      padding="sm"
      radius="md"
      data-listing-id={hit.id}
      onMouseEnter={() => onHover?.(hit.id)}
      onMouseLeave={() => onHover?.(null)}
      onFocus={() => onHover?.(hit.id)}
      style={active ? { borderColor: 'var(--mantine-color-blue-8)' } : undefined}
    >
      <Group wrap="nowrap" align="flex-start" gap="md">
        <div style={{ width: 128, flexShrink: 0 }}>
          {hit.cover_photo_url ? (
            <img
              className="listing-card-image"
              src={hit.cover_photo_url}
              alt=""
              width={128}
              height={96}
              loading={priority ? 'eager' : 'lazy'}
              fetchPriority={priority ? 'high' : 'auto'}
              style={{ borderRadius: 6 }}
            />
          ) : (
            <div className="listing-card-image" style={{ borderRadius: 6 }} aria-hidden="true" />
          )}
        </div>
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Title order={3} size="h5" lineClamp={2}>
            <Link to={`/listings/${hit.id}`} style={{ color: 'inherit' }} className="search-highlight">
              {title ? <span dangerouslySetInnerHTML={{ __html: title }} /> : hit.title}
            </Link>
          </Title>
          <Text size="sm" c="dimmed" lineClamp={1}>
            {[hit.locality, hit.city].filter(Boolean).join(', ')}
            {hit.distance_km !== undefined && ` · ${hit.distance_km.toFixed(1)} km`}
          </Text>
          <Text fw={700}>
            {format.money(hit.monthly_price, hit.currency)}
            <Text span size="sm" fw={400} c="dimmed">
              {' '}
              / month
            </Text>
          </Text>
          <Group gap={6}>
            {hit.property_type && (
              <Badge variant="light" color="gray" size="sm">
                {typeLabel(hit.property_type)}
              </Badge>
            )}
            <Badge variant="light" color="gray" size="sm">
              {hit.bedrooms ?? '—'} bed · {hit.bathrooms ?? '—'} bath
            </Badge>
            {hit.available_units === null ? null : hit.available_units > 0 ? (
              <Badge variant="light" color="green" size="sm">
                {hit.available_units} free
              </Badge>
            ) : (
              <Badge variant="light" color="red" size="sm">
                Fully booked
              </Badge>
            )}
          </Group>
        </Stack>
      </Group>
    </Card>
  )
})
