import {
  Alert,
  Anchor,
  Box,
  Burger,
  Button,
  Container,
  Group,
  Stack,
  Text,
} from '@mantine/core'
import { useDisclosure, useNetwork } from '@mantine/hooks'
import { lazy, Suspense, useEffect, useRef } from 'react'
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router'
import { queryClient } from '../queryClient'
import { logout } from '../session/session'
import { useSession } from '../session/useSession'
import { LazyDrawer } from './LazyDrawer'
import { NotificationBell } from './NotificationBell'

// Chat's link with the unread count: a chunk of its own, out of the search page's first load.
const MessagesLink = lazy(() => import('./MessagesLink'))

interface NavItem {
  to: string
  label: string
}

function navItems(role: string | undefined): NavItem[] {
  const items: NavItem[] = [{ to: '/', label: 'Search' }]
  if (role === 'tenant') {
    items.push({ to: '/bookings', label: 'My bookings' })
    items.push({ to: '/rent', label: 'Rent' })
    items.push({ to: '/visits', label: 'Visits' })
  }
  if (role === 'landlord' || role === 'admin') {
    items.push({ to: '/landlord/properties', label: 'My properties' })
    items.push({ to: '/landlord/bookings', label: 'Bookings' })
    items.push({ to: '/landlord/rent', label: 'Rent' })
    items.push({ to: '/landlord/visits', label: 'Visits' })
  }
  return items
}

export function Layout() {
  const { status, user } = useSession()
  const [opened, { toggle, close }] = useDisclosure(false)
  const network = useNetwork()
  const location = useLocation()
  const navigate = useNavigate()
  const main = useRef<HTMLElement>(null)
  const firstPath = useRef(location.pathname)

  // A new page: move focus to its content, so keyboard and screen reader users start
  // there (not on a link of the previous page). Not on the first load.
  useEffect(() => {
    close()
    if (location.pathname === firstPath.current) return
    firstPath.current = location.pathname
    main.current?.focus({ preventScroll: true })
    window.scrollTo(0, 0)
  }, [location.pathname, close])

  const signOut = async () => {
    await logout().catch(() => undefined)
    queryClient.clear()
    navigate('/')
  }

  const items = navItems(user?.role)
  const links = items.map((item) => (
    <Anchor
      key={item.to}
      component={NavLink}
      to={item.to}
      end={item.to === '/'}
      c="dark"
      fw={500}
      underline="never"
      style={({ isActive }: { isActive: boolean }) =>
        isActive ? { textDecoration: 'underline', textUnderlineOffset: 6 } : undefined
      }
    >
      {item.label}
    </Anchor>
  ))

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Box
        component="header"
        h={60}
        style={{
          position: 'sticky',
          top: 0,
          zIndex: 200,
          background: 'var(--mantine-color-body)',
          borderBottom: '1px solid var(--mantine-color-gray-3)',
        }}
      >
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between" wrap="nowrap">
            <Group gap="xl" wrap="nowrap">
              <Anchor component={Link} to="/" fw={800} fz="xl" underline="never" aria-label="RentEzy home">
                RentEzy
              </Anchor>
              <Group gap="lg" visibleFrom="sm" component="nav" aria-label="Main">
                {links}
                {status === 'signed-in' && <Suspense fallback={null}><MessagesLink /></Suspense>}
              </Group>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <Group gap="sm" visibleFrom="sm" wrap="nowrap">
                {status === 'signed-in' && user ? (
                  <>
                    <Anchor component={Link} to="/account" c="dark" fw={500} aria-label={`Account of ${user.full_name}`}>
                      {user.full_name}
                    </Anchor>
                    <Button variant="subtle" onClick={signOut}>
                      Sign out
                    </Button>
                  </>
                ) : status === 'signed-out' ? (
                  <>
                    <Button component={Link} to="/login" variant="subtle">
                      Sign in
                    </Button>
                    <Button component={Link} to="/register">
                      Sign up
                    </Button>
                  </>
                ) : null}
              </Group>
              <NotificationBell />
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                aria-label={opened ? 'Close menu' : 'Open menu'}
              />
            </Group>
          </Group>
        </Container>
      </Box>
      <LazyDrawer opened={opened} onClose={close} title="Menu" hiddenFrom="sm" position="right" size="xs">
        <Stack component="nav" aria-label="Main" gap="md">
          {links}
          {status === 'signed-in' && <Suspense fallback={null}><MessagesLink /></Suspense>}
          {status === 'signed-in' ? (
            <>
              <Anchor component={Link} to="/account" c="dark" fw={500}>
                Account
              </Anchor>
              <Button variant="light" onClick={signOut}>
                Sign out
              </Button>
            </>
          ) : (
            <>
              <Button component={Link} to="/login" variant="light">
                Sign in
              </Button>
              <Button component={Link} to="/register">
                Sign up
              </Button>
            </>
          )}
        </Stack>
      </LazyDrawer>
        {!network.online && (
          <Alert color="orange" radius={0} role="status" title="You're offline">
            Showing what was already loaded. Changes need a connection.
          </Alert>
        )}
        <Box component="main" id="main" ref={main} tabIndex={-1} style={{ outline: 'none' }}>
          <Container size="xl" py="lg">
            <Outlet />
          </Container>
        </Box>
        <Box component="footer" py="lg" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
          <Container size="xl">
            <Text size="sm" c="dimmed">
              RentEzy — homes and rooms to rent.
            </Text>
          </Container>
        </Box>
    </>
  )
}
