import { Alert, Badge, Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../api/client'
import type { BookingStatus, PropertyStatus } from '../api/types'
import { BOOKING_STATUS, PROPERTY_STATUS } from '../lib/labels'

export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null
  const message =
    error instanceof ApiError ? error.message : 'Something went wrong. Please try again.'
  const offline = error instanceof ApiError && error.offline
  return (
    <Alert color="red" role="alert" title={title ?? (offline ? 'No connection' : 'That did not work')}>
      {message}
    </Alert>
  )
}

export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null
  return (
    <Alert color="red" role="alert" title="Please check the form">
      {message}
    </Alert>
  )
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string
  children?: ReactNode
  action?: ReactNode
}) {
  return (
    <Card withBorder padding="xl" radius="md" ta="center">
      <Stack align="center" gap="sm">
        <Title order={2} size="h3">
          {title}
        </Title>
        {children && <Text c="dimmed">{children}</Text>}
        {action}
      </Stack>
    </Card>
  )
}

export function CardsSkeleton({ count = 4 }: { count?: number }) {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <Card key={i} withBorder padding="md">
          <Group wrap="nowrap" align="flex-start">
            <Skeleton height={96} width={128} radius="sm" />
            <Stack gap={8} style={{ flex: 1 }}>
              <Skeleton height={18} width="70%" />
              <Skeleton height={12} width="40%" />
              <Skeleton height={12} width="55%" />
            </Stack>
          </Group>
        </Card>
      ))}
    </Stack>
  )
}

export function PageSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading">
      <Skeleton height={32} width="50%" />
      <Skeleton height={280} />
      <Skeleton height={16} width="80%" />
      <Skeleton height={16} width="60%" />
    </Stack>
  )
}

export function BookingBadge({ status }: { status: BookingStatus }) {
  const info = BOOKING_STATUS[status]
  return (
    <Badge color={info.color} variant="light" data-status={status}>
      {info.label}
    </Badge>
  )
}

export function PropertyBadge({ status }: { status: PropertyStatus }) {
  const info = PROPERTY_STATUS[status]
  return (
    <Badge color={info.color} variant="light" data-status={status}>
      {info.label}
    </Badge>
  )
}

export function NotFoundContent({ what = 'page' }: { what?: string }) {
  return (
    <EmptyState
      title={`This ${what} does not exist`}
      action={
        <Button component={Link} to="/">
          Go to search
        </Button>
      }
    >
      It may have been removed, or the link is mistyped.
    </EmptyState>
  )
}
