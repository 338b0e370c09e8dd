// /account/reset-password#token=…: choose a new password. The token comes in the URL
// fragment (never sent to a server) and is taken out of the address bar once read, so it
// stays out of the history too. Success → sign in with the new password.
import { zodResolver } from '@hookform/resolvers/zod'
import { Alert, Anchor, Button, Card, PasswordInput, Stack, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import { useForm } from 'react-hook-form'
import { Link } from 'react-router'
import { z } from 'zod'
import { ApiError } from '../../api/client'
import { confirmPasswordReset } from '../../api/notificationEndpoints'
import { FormAlert } from '../../components/common'
import { tokenFromFragment } from '../../lib/fragment'
import { applyApiError } from '../../lib/forms'
import { usePageTitle } from '../../lib/usePageTitle'

const schema = z
  .object({
    password: z.string().min(8, 'At least 8 characters.').max(256),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords differ.' })
type Values = z.infer<typeof schema>

/** The fragment's token, read once; the address bar keeps the page without it. */
export function useFragmentToken(): string | null {
  const [token] = useState(() => tokenFromFragment(window.location.hash))
  useEffect(() => {
    if (window.location.hash) {
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search)
    }
  }, [])
  return token
}

export function BadLink({ what, again }: { what: string; again: { to: string; label: string } }) {
  return (
    <Alert color="red" role="alert" title="This link does not work" data-testid="bad-link">
      <Stack gap="xs">
        <Text size="sm">
          The {what} link is incomplete, has expired or was already used. Links work once, and only
          the newest one does.
        </Text>
        {/* The alert's own (darkened) text colour: a blue link on the red tint fails contrast. */}
        <Anchor component={Link} to={again.to} size="sm" c="inherit" underline="always" fw={600}>
          {again.label}
        </Anchor>
      </Stack>
    </Alert>
  )
}

export default function ResetPasswordPage() {
  usePageTitle('Choose a new password')
  const token = useFragmentToken()
  const [done, setDone] = useState(false)
  const [badToken, setBadToken] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { password: '', confirm: '' } })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    try {
      await confirmPasswordReset(token ?? '', values.password)
      setDone(true)
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_token') setBadToken(true)
      else setFormError(applyApiError(error, form.setError, ['password']))
    }
  })
  const again = { to: '/account/forgot-password', label: 'Ask for a new link' }
  return (
    <Stack maw={420} mx="auto" gap="md">
      <Title order={1}>Choose a new password</Title>
      {done ? (
        <Alert color="green" role="status" title="Password changed" data-testid="reset-done">
          <Stack gap="xs">
            <Text size="sm">Your password is changed and every device was signed out. Sign in with the new one.</Text>
            <Button component={Link} to="/login" w="fit-content">
              Sign in
            </Button>
          </Stack>
        </Alert>
      ) : !token || badToken ? (
        <BadLink what="password reset" again={again} />
      ) : (
        <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
          <Stack gap="md">
            <FormAlert message={formError} />
            <PasswordInput
              label="New password"
              description="At least 8 characters; not too close to your email or too common."
              autoComplete="new-password"
              required
              error={form.formState.errors.password?.message}
              {...form.register('password')}
            />
            <PasswordInput
              label="New password again"
              autoComplete="new-password"
              required
              error={form.formState.errors.confirm?.message}
              {...form.register('confirm')}
            />
            <Button type="submit" loading={form.formState.isSubmitting}>
              Set the new password
            </Button>
          </Stack>
        </Card>
      )}
    </Stack>
  )
}
