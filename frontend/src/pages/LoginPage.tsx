import { zodResolver } from '@hookform/resolvers/zod'
import { Anchor, Button, Card, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { z } from 'zod'
import { toApiError } from '../api/client'
import { FormAlert } from '../components/common'
import { applyApiError } from '../lib/forms'
import { usePageTitle } from '../lib/usePageTitle'
import { login } from '../session/session'

const schema = z.object({
  email: z.string().trim().min(1, 'Enter your email.').email('Enter a valid email address.'),
  password: z.string().min(1, 'Enter your password.'),
})
type Values = z.infer<typeof schema>

/** Where to go after signing in: a path of this app only (never another site). */
export function safeNext(next: string | null, fallback = '/'): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback
}

export default function LoginPage() {
  usePageTitle('Sign in')
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '', password: '' } })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    try {
      const user = await login(values.email, values.password)
      const home = user?.role === 'landlord' ? '/landlord/properties' : '/'
      navigate(safeNext(params.get('next'), home), { replace: true })
    } catch (failure) {
      const error = failure instanceof Response ? await toApiError(failure) : failure
      setFormError(applyApiError(error, form.setError, ['email', 'password']))
    }
  })
  return (
    <Stack maw={420} mx="auto" gap="md">
      <Title order={1}>Sign in</Title>
      <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={formError} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            error={form.formState.errors.email?.message}
            {...form.register('email')}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            error={form.formState.errors.password?.message}
            {...form.register('password')}
          />
          <Anchor component={Link} to="/account/forgot-password" size="sm" w="fit-content">
            Forgot password?
          </Anchor>
          <Button type="submit" loading={form.formState.isSubmitting}>
            Sign in
          </Button>
        </Stack>
      </Card>
      <Text>
        New here?{' '}
        <Anchor component={Link} to={`/register${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>
          Create an account
        </Anchor>
      </Text>
    </Stack>
  )
}
