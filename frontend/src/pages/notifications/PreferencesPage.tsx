// /notifications/preferences: per category, in the app and by email. Security messages
// are shown but locked on (the API refuses to turn them off). Saving sends only what
// changed; the API's error (`{"error": {code, message, details}}`, details naming
// "category.channel") is shown at the top and under the category it is about.
import { Alert, Anchor, Button, Fieldset, Group, Skeleton, Stack, Switch, Text, Title } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router'
import { ApiError } from '../../api/client'
import {
  getPreferences,
  savePreferences,
  type ChannelChoice,
  type PreferenceChanges,
} from '../../api/notificationEndpoints'
import { ErrorAlert } from '../../components/common'
import { RequireAuth } from '../../components/RequireAuth'
import { CATEGORIES, CHANNELS, type Channel } from '../../lib/notifications'
import { usePageTitle } from '../../lib/usePageTitle'

type Choices = Record<string, ChannelChoice>

export default function PreferencesPage() {
  usePageTitle('Notification preferences')
  return (
    <RequireAuth>
      <Preferences />
    </RequireAuth>
  )
}

/** What differs between the saved choices and the edited ones, as the API's PUT wants. */
export function changesBetween(saved: Choices, edited: Choices): PreferenceChanges {
  const out: PreferenceChanges = {}
  for (const [category, choice] of Object.entries(edited)) {
    for (const { value: channel } of CHANNELS) {
      if (saved[category]?.[channel] !== choice[channel]) {
        out[category] = { ...out[category], [channel]: choice[channel] }
      }
    }
  }
  return out
}

function Preferences() {
  const client = useQueryClient()
  const saved = useQuery({ queryKey: ['notification-preferences'], queryFn: getPreferences })
  const [edited, setEdited] = useState<Choices | null>(null)
  const [done, setDone] = useState(false)
  const choices = edited ?? saved.data?.preferences ?? null
  const changes = saved.data && choices ? changesBetween(saved.data.preferences, choices) : {}
  const dirty = Object.keys(changes).length > 0
  const save = useMutation({
    mutationFn: () => savePreferences(changes),
    onSuccess: (answer) => {
      client.setQueryData(['notification-preferences'], answer)
      setEdited(null)
      setDone(true)
    },
  })
  const fieldErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {}
  const errorsOf = (category: string) =>
    Object.entries(fieldErrors)
      .filter(([path]) => path === category || path.startsWith(`${category}.`))
      .flatMap(([, messages]) => messages)

  const toggle = (category: string, channel: Channel, on: boolean) => {
    if (!choices) return
    setDone(false)
    setEdited({ ...choices, [category]: { ...choices[category]!, [channel]: on } })
  }

  return (
    <Stack gap="md" maw={720}>
      <Title order={1}>Notification preferences</Title>
      <Text c="dimmed">
        Choose what reaches you in the app and by email. Everything is on until you turn it off.{' '}
        <Anchor component={Link} to="/notifications">
          Back to notifications
        </Anchor>
      </Text>
      {saved.isPending ? (
        <Stack gap="sm" aria-busy="true" aria-label="Loading preferences">
          {CATEGORIES.map((c) => (
            <Skeleton key={c.value} height={92} />
          ))}
        </Stack>
      ) : saved.isError ? (
        <ErrorAlert error={saved.error} title="Your preferences could not be loaded" />
      ) : (
        <Stack
          gap="sm"
          component="form"
          onSubmit={(event) => {
            event.preventDefault()
            if (dirty) save.mutate()
          }}
        >
          {save.isError && (
            <Alert color="red" role="alert" title="Not saved">
              {save.error.message}
            </Alert>
          )}
          {done && !dirty && (
            <Alert color="green" role="status">
              Preferences saved.
            </Alert>
          )}
          {CATEGORIES.map((category) => {
            const choice = choices?.[category.value]
            if (!choice) return null
            const problems = errorsOf(category.value)
            return (
              <Fieldset key={category.value} legend={category.label} data-category={category.value}>
                <Stack gap="xs">
                  <Text size="sm" c="dimmed">
                    {category.description}
                  </Text>
                  <Group gap="xl">
                    {CHANNELS.map((channel) => (
                      <Switch
                        key={channel.value}
                        label={channel.label}
                        checked={choice[channel.value]}
                        disabled={choice.locked}
                        onChange={(event) => toggle(category.value, channel.value, event.currentTarget.checked)}
                        aria-describedby={choice.locked ? `locked-${category.value}` : undefined}
                      />
                    ))}
                  </Group>
                  {choice.locked && (
                    <Text size="sm" id={`locked-${category.value}`}>
                      Always on: these keep your account safe.
                    </Text>
                  )}
                  {problems.length > 0 && (
                    <Text size="sm" c="red.9" role="alert">
                      {problems.join(' ')}
                    </Text>
                  )}
                </Stack>
              </Fieldset>
            )
          })}
          <Group>
            <Button type="submit" loading={save.isPending} disabled={!dirty}>
              Save preferences
            </Button>
            {dirty && (
              <Button variant="subtle" onClick={() => setEdited(null)}>
                Undo changes
              </Button>
            )}
          </Group>
        </Stack>
      )}
    </Stack>
  )
}
