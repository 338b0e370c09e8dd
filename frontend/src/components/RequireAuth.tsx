import { Center, Loader } from '@mantine/core'
import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import type { Role } from '../api/types'
import { useSession } from '../session/useSession'
import { EmptyState } from './common'

/** Children for a signed-in user (of one of `roles`); others go to sign in first. */
export function RequireAuth({ children, roles }: { children: ReactNode; roles?: Role[] }) {
  const { status, user } = useSession()
  const location = useLocation()
  if (status === 'unknown') {
    return (
      <Center py="xl">
        <Loader aria-label="Checking your session" />
      </Center>
    )
  }
  if (status === 'signed-out' || !user) {
    const next = encodeURIComponent(location.pathname + location.search)
    return <Navigate to={`/login?next=${next}`} replace />
  }
  if (roles && !roles.includes(user.role)) {
    return (
      <EmptyState title="Not available for your account">
        This page is for {roles.join(' or ')} accounts.
      </EmptyState>
    )
  }
  return <>{children}</>
}
