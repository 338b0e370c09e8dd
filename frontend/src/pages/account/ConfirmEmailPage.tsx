// /account/confirm-email#token=…: confirms the address as the page opens and says how it
// went. One request per token, even when React runs the effect twice (StrictMode) or the
// page is opened again in this tab: the second would find the token spent.
import { Alert, Button, Center, Loader, Stack, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../../api/client'
import { confirmEmail } from '../../api/notificationEndpoints'
import type { User } from '../../api/types'
import { ErrorAlert } from '../../components/common'
import { usePageTitle } from '../../lib/usePageTitle'
import { updateUser } from '../../session/session'
import { useSession } from '../../session/useSession'
import { BadLink, useFragmentToken } from './ResetPasswordPage'

const attempts = new Map<string, Promise<User>>()

function confirmOnce(token: string): Promise<User> {
  let attempt = attempts.get(token)
  if (!attempt) {
    attempt = confirmEmail(token).then((answer) => answer as User)
    attempts.set(token, attempt)
  }
  return attempt
}

type State = { kind: 'working' } | { kind: 'done'; user: User } | { kind: 'failed'; error: unknown }

export default function ConfirmEmailPage() {
  usePageTitle('Confirm your email')
  const token = useFragmentToken()
  const { status, user: me } = useSession()
  const [state, setState] = useState<State>({ kind: 'working' })
  useEffect(() => {
    if (!token) return
    let live = true
    confirmOnce(token).then(
      (user) => live && setState({ kind: 'done', user }),
      (error: unknown) => live && setState({ kind: 'failed', error }),
    )
    return () => {
      live = false
    }
  }, [token])
  useEffect(() => {
    // Signed in as that user: the header and the account page show the confirmed address.
    if (state.kind === 'done' && me && me !== state.user && me.id === state.user.id) updateUser(state.user)
  }, [state, me])

  const again =
    status === 'signed-in'
      ? { to: '/account', label: 'Send a new link from your account' }
      : { to: '/login?next=%2Faccount', label: 'Sign in to send a new link' }
  return (
    <Stack maw={480} mx="auto" gap="md">
      <Title order={1}>Confirm your email</Title>
      {!token ? (
        <BadLink what="confirmation" again={again} />
      ) : state.kind === 'working' ? (
        <Center py="xl">
          <Loader aria-label="Confirming your address" />
        </Center>
      ) : state.kind === 'done' ? (
        <Alert color="green" role="status" title="Email confirmed" data-testid="email-confirmed">
          <Stack gap="xs">
            <Text size="sm">{state.user.email} is confirmed. Thank you.</Text>
            <Button component={Link} to={status === 'signed-in' ? '/' : '/login'} w="fit-content">
              {status === 'signed-in' ? 'Go to RentEzy' : 'Sign in'}
            </Button>
          </Stack>
        </Alert>
      ) : state.error instanceof ApiError && state.error.code === 'invalid_token' ? (
        <BadLink what="confirmation" again={again} />
      ) : (
        <ErrorAlert error={state.error} title="Your address could not be confirmed" />
      )}
    </Stack>
  )
}
