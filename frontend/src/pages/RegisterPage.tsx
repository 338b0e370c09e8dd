import { zodResolver } from '@hookform/resolvers/zod'
import {
  Anchor,
  Button,
  Card,
  PasswordInput,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useState } from 'react'
import { Controller, useForm } from 'react-hook-form'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { z } from 'zod'
import { ApiError, toApiError } from '../api/client'
import { register } from '../api/endpoints'
import { FormAlert } from '../components/common'
import { browserPreferences } from '../lib/format'
import { applyApiError } from '../lib/forms'
import { usePageTitle } from '../lib/usePageTitle'
import { login } from '../session/session'
import { safeNext } from './LoginPage'

const schema = z.object({
  full_name: z.string().trim().min(1, 'Enter your name.').max(150),
  email: z.string().trim().min(1, 'Enter your email.').email('Enter a valid email address.'),
  password: z.string().min(8, 'At least 8 characters.').max(256),
  role: z.enum(['tenant', 'landlord']),
  phone: z.string().trim().max(32).optional(),
})
type Values = z.infer<typeof schema>
const FIELDS = ['full_name', 'email', 'password', 'role', 'phone'] as const

export default function RegisterPage() {
  usePageTitle('Create an account')
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      full_name: '',
      email: '',
      password: '',
      role: params.get('role') === 'landlord' ? 'landlord' : 'tenant',
      phone: '',
    },
  })
  const submit = form.handleSubmit(async (values) => {
    setFormError(null)
    const prefs = browserPreferences()
    try {
      await register({ ...values, phone: values.phone || '', time_zone: prefs.timeZone, locale: prefs.locale })
    } catch (error) {
      // An unknown browser zone/locale is not the user's fault: register without them.
      if (error instanceof ApiError && error.status === 400) {
        const fields = error.fieldErrors()
        if ((fields.time_zone || fields.locale) && Object.keys(fields).every((f) => f === 'time_zone' || f === 'locale')) {
          try {
            await register({ ...values, phone: values.phone || '' })
          } catch (retryError) {
            setFormError(applyApiError(retryError, form.setError, FIELDS))
            return
          }
        } else {
          setFormError(applyApiError(error, form.setError, FIELDS))
          return
        }
      } else {
        setFormError(applyApiError(error, form.setError, FIELDS))
        return
      }
    }
    try {
      await login(values.email, values.password)
      navigate(safeNext(params.get('next'), values.role === 'landlord' ? '/landlord/properties' : '/'), {
        replace: true,
      })
    } catch (failure) {
      const error = failure instanceof Response ? await toApiError(failure) : failure
      setFormError(`Your account is ready, but signing in failed: ${(error as Error).message}`)
    }
  })
  return (
    <Stack maw={480} mx="auto" gap="md">
      <Title order={1}>Create an account</Title>
      <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert message={formError} />
          <Controller
            control={form.control}
            name="role"
            render={({ field, fieldState }) => (
              <Radio.Group label="I want to" value={field.value} onChange={field.onChange} error={fieldState.error?.message} required>
                <Stack gap={6} mt={4}>
                  <Radio value="tenant" label="Rent a place (tenant)" />
                  <Radio value="landlord" label="List my property (landlord)" />
                </Stack>
              </Radio.Group>
            )}
          />
          <TextInput label="Full name" autoComplete="name" required error={form.formState.errors.full_name?.message} {...form.register('full_name')} />
          <TextInput label="Email" type="email" autoComplete="email" required error={form.formState.errors.email?.message} {...form.register('email')} />
          <PasswordInput
            label="Password"
            description="At least 8 characters; not a common password."
            autoComplete="new-password"
            required
            error={form.formState.errors.password?.message}
            {...form.register('password')}
          />
          <TextInput label="Phone (optional)" type="tel" autoComplete="tel" error={form.formState.errors.phone?.message} {...form.register('phone')} />
          <Button type="submit" loading={form.formState.isSubmitting}>
            Create account
          </Button>
        </Stack>
      </Card>
      <Text>
        Already have an account?{' '}
        <Anchor component={Link} to="/login">
          Sign in
        </Anchor>
      </Text>
    </Stack>
  )
}
