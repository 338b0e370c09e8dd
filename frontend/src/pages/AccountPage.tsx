import { zodResolver } from '@hookform/resolvers/zod'
import { Alert, Anchor, Button, Card, Group, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core'
import { useMemo, useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { Link, useNavigate } from 'react-router'
import { z } from 'zod'
import { toApiError } from '../api/client'
import { updateMe } from '../api/endpoints'
import { resendConfirmation } from '../api/notificationEndpoints'
import type { User } from '../api/types'
import { ErrorAlert, FormAlert } from '../components/common'
import { RequireAuth } from '../components/RequireAuth'
import { browserPreferences, formatInstant, formatMoney } from '../lib/format'
import { applyApiError } from '../lib/forms'
import { usePageTitle } from '../lib/usePageTitle'
import { queryClient } from '../queryClient'
import { changePassword, logout, updateUser } from '../session/session'
import { useSession } from '../session/useSession'

const LOCALES = [
  'en', 'en-IN', 'en-GB', 'en-US', 'hi-IN', 'bn-IN', 'ta-IN', 'te-IN', 'kn-IN', 'mr-IN',
  'fr-FR', 'de-DE', 'es-ES', 'it-IT', 'nl-NL', 'pt-BR', 'ja-JP', 'zh-CN', 'ar-AE',
]

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
  const zones = intl.supportedValuesOf?.('timeZone') ?? []
  return zones.includes('UTC') ? zones : ['UTC', ...zones]
}

export default function AccountPage() {
  usePageTitle('Account')
  return (
    <RequireAuth>
      <Account />
    </RequireAuth>
  )
}

function Account() {
  const { user } = useSession()
  const navigate = useNavigate()
  if (!user) return null
  return (
    <Stack gap="lg" maw={640}>
      <Title order={1}>Account</Title>
      <Profile user={user} />
      <Notifications user={user} />
      <Password />
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Title order={2} size="h3">
            Sign out
          </Title>
          <Text c="dimmed">Ends this session in every tab of this browser.</Text>
          <Button
            variant="outline"
            w="fit-content"
            onClick={async () => {
              await logout().catch(() => undefined)
              queryClient.clear()
              navigate('/')
            }}
          >
            Sign out
          </Button>
        </Stack>
      </Card>
    </Stack>
  )
}

const profileSchema = z.object({
  full_name: z.string().trim().min(1, 'Enter your name.').max(150),
  phone: z.string().trim().max(32),
  time_zone: z.string().min(1, 'Choose a time zone.'),
  locale: z.string().min(1, 'Choose a language and region.'),
})
type ProfileValues = z.infer<typeof profileSchema>

function Profile({ user }: { user: User }) {
  const [saved, setSaved] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)
  const zones = useMemo(() => timeZones(), [])
  const locales = useMemo(() => [...new Set([user.locale, browserPreferences().locale, ...LOCALES])], [user.locale])
  const form = useForm<ProfileValues>({
    resolver: zodResolver(profileSchema),
    defaultValues: { full_name: user.full_name, phone: user.phone, time_zone: user.time_zone, locale: user.locale },
  })
  const locale = useWatch({ control: form.control, name: 'locale' })
  const zone = useWatch({ control: form.control, name: 'time_zone' })
  const submit = form.handleSubmit(async (values) => {
    setSaved(false)
    setFormError(null)
    try {
      updateUser(await updateMe(values))
      setSaved(true)
    } catch (error) {
      setFormError(applyApiError(error, form.setError, ['full_name', 'phone', 'time_zone', 'locale']))
    }
  })
  let preview = ''
  try {
    preview = `${formatInstant(new Date().toISOString(), { locale, timeZone: zone })} · ${formatMoney('25000', 'INR', locale)}`
  } catch {
    preview = ''
  }
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
      <Stack gap="md">
        <Title order={2} size="h3">
          Profile
        </Title>
        <Text size="sm" c="dimmed">
          {user.email} · {user.role}
        </Text>
        <FormAlert message={formError} />
        {saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <TextInput label="Full name" required error={form.formState.errors.full_name?.message} {...form.register('full_name')} />
        <TextInput label="Phone" type="tel" error={form.formState.errors.phone?.message} {...form.register('phone')} />
        <Controller
          control={form.control}
          name="time_zone"
          render={({ field, fieldState }) => (
            <Select label="Time zone" searchable data={zones} value={field.value} onChange={(v) => field.onChange(v ?? '')} error={fieldState.error?.message} allowDeselect={false} limit={50} />
          )}
        />
        <Controller
          control={form.control}
          name="locale"
          render={({ field, fieldState }) => (
            <Select
              label="Language and region"
              description="How dates and amounts are written"
              searchable
              data={locales}
              value={field.value}
              onChange={(v) => field.onChange(v ?? '')}
              error={fieldState.error?.message}
              allowDeselect={false}
            />
          )}
        />
        {preview && (
          <Text size="sm" c="dimmed">
            Example: {preview}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={form.formState.isSubmitting}>
            Save profile
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}

const passwordSchema = z
  .object({
    current_password: z.string().min(1, 'Enter your current password.'),
    new_password: z.string().min(8, 'At least 8 characters.').max(256),
    confirm: z.string(),
  })
  .refine((v) => v.new_password === v.confirm, { path: ['confirm'], message: 'The two passwords differ.' })
type PasswordValues = z.infer<typeof passwordSchema>

function Password() {
  const [done, setDone] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm<PasswordValues>({
    resolver: zodResolver(passwordSchema),
    defaultValues: { current_password: '', new_password: '', confirm: '' },
  })
  const submit = form.handleSubmit(async (values) => {
    setDone(false)
    setFormError(null)
    try {
      await changePassword(values.current_password, values.new_password)
      form.reset()
      setDone(true)
    } catch (failure) {
      const error = failure instanceof Response ? await toApiError(failure) : failure
      setFormError(applyApiError(error, form.setError, ['current_password', 'new_password']))
    }
  })
  return (
    <Card withBorder padding="lg" component="form" onSubmit={submit} noValidate>
      <Stack gap="md">
        <Title order={2} size="h3">
          Change password
        </Title>
        <Text size="sm" c="dimmed">
          Signs you out on every other device.
        </Text>
        <FormAlert message={formError} />
        {done && (
          <Alert color="green" role="status">
            Password changed. Other devices are signed out.
          </Alert>
        )}
        <PasswordInput label="Current password" autoComplete="current-password" required error={form.formState.errors.current_password?.message} {...form.register('current_password')} />
        <PasswordInput label="New password" autoComplete="new-password" required error={form.formState.errors.new_password?.message} {...form.register('new_password')} />
        <PasswordInput label="New password again" autoComplete="new-password" required error={form.formState.errors.confirm?.message} {...form.register('confirm')} />
        <Button type="submit" w="fit-content" loading={form.formState.isSubmitting}>
          Change password
        </Button>
      </Stack>
    </Card>
  )
}

/** Where notifications go (the preferences page), and the address's confirmation. */
function Notifications({ user }: { user: User }) {
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [sending, setSending] = useState(false)
  const resend = async () => {
    setError(null)
    setSending(true)
    try {
      await resendConfirmation()
      setSent(true)
    } catch (failure) {
      setError(failure)
    } finally {
      setSending(false)
    }
  }
  return (
    <Card withBorder padding="lg">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Notifications and email
        </Title>
        <Text>
          Choose what reaches you in the app and by email:{' '}
          <Anchor component={Link} to="/notifications/preferences">
            notification preferences
          </Anchor>
          .
        </Text>
        {user.email_verified ? (
          <Text size="sm" c="dimmed">
            {user.email} is confirmed.
          </Text>
        ) : (
          <Stack gap="xs">
            <Text size="sm">{user.email} is not confirmed yet: follow the link we emailed you.</Text>
            {sent ? (
              <Alert color="green" role="status">
                A new confirmation link is on its way to {user.email}.
              </Alert>
            ) : (
              <Button variant="light" w="fit-content" onClick={resend} loading={sending}>
                Send the confirmation link again
              </Button>
            )}
            <ErrorAlert error={error} />
          </Stack>
        )}
      </Stack>
    </Card>
  )
}
