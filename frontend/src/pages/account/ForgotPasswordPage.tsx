// /account/forgot-password: ask for a reset link. The answer is always the same, whether
// or not the address has an account (the API's 202 tells nothing either): no enumeration.
import { zodResolver } from '@hookform/resolvers/zod'
import { Alert, Anchor, Button, Card, Stack, Text, TextInput, Title } from '@mantine/core'
import { useState } from 'react'
import { useForm } from 'react-hook-form'
import { Link } from 'react-router'
import { z } from 'zod'
import { requestPasswordReset } from '../../api/notificationEndpoints'
import { FormAlert } from '../../components/common'
import { applyApiError } from '../../lib/forms'
import { usePageTitle } from '../../lib/usePageTitle'

const schema = z.object({
  email: z.string().trim().min(1, 'Enter your email.').email('Enter a valid email address.'),
})
type Values = z.infer<typeof schema>

export default function ForgotPasswordPage() {
  usePageTitle('Forgot password')
  const [sentTo, setSentTo] = useState<string | null>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { email: '' } })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    try {
      await requestPasswordReset(values.email)
      setSentTo(values.email)
    } catch (error) {
      setFormError(applyApiError(error, form.setError, ['email']))
    }
  })
  return (
    <Stack maw={420} mx="auto" gap="md">
      <Title order={1}>Forgot your password?</Title>
      {sentTo ? (
        <Alert color="green" role="status" title="Check your email" data-testid="reset-requested">
          If an account uses {sentTo}, we have sent it a link to choose a new password. The link
          works once, for an hour. Nothing there? Check your spam folder, or ask again in a few
          minutes.
        </Alert>
      ) : (
        <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
          <Stack gap="md">
            <Text size="sm">Enter the email address of your account and we will send you a link to choose a new password.</Text>
            <FormAlert message={formError} />
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              error={form.formState.errors.email?.message}
              {...form.register('email')}
            />
            <Button type="submit" loading={form.formState.isSubmitting}>
              Send the link
            </Button>
          </Stack>
        </Card>
      )}
      <Text>
        Remembered it?{' '}
        <Anchor component={Link} to="/login">
          Sign in
        </Anchor>
      </Text>
    </Stack>
  )
}
