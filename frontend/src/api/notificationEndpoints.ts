// notification_service's calls (the inbox, preferences) and auth_service's account
// recovery, typed by the OpenAPI document like every call (call.ts). A module of its
// own so the search page's first load does not carry them; the bell's one call (the
// unread count) lives in lib/bell.ts.
import { call } from './call'
import type { components, paths } from './schema'

type Schemas = components['schemas']
export type Notification = Schemas['NotificationSchema']
export type Category = Schemas['NotificationCategory']
export type ChannelChoice = Schemas['ChannelChoiceSchema']
export type Inbox = Schemas['InboxSchema']
export type InboxQuery = NonNullable<paths['/api/notifications/']['get']['parameters']['query']>
/** {category: {in_app?: boolean, email?: boolean}}: only what changes. */
export type PreferenceChanges = Schemas['PreferencesUpdateSchemaRequest']['preferences']

export const inbox = (query: InboxQuery, signal?: AbortSignal) =>
  call('get', '/api/notifications/', { query, signal })

export const markRead = (id: string) =>
  call('post', '/api/notifications/{notification_id}/read/', { path: { notification_id: id } })

export const markAllRead = () => call('post', '/api/notifications/read-all/')

export const archive = (id: string) =>
  call('post', '/api/notifications/{notification_id}/archive/', { path: { notification_id: id } })

export const getPreferences = () => call('get', '/api/notifications/preferences/')

export const savePreferences = (preferences: PreferenceChanges) =>
  call('put', '/api/notifications/preferences/', { body: { preferences } })

// --- account recovery (auth_service; public routes) ---------------------------------------

export const requestPasswordReset = (email: string) =>
  call('post', '/api/auth/password/reset', { body: { email } })

export const confirmPasswordReset = (token: string, password: string) =>
  call('post', '/api/auth/password/reset/confirm', { body: { token, password } })

export const confirmEmail = (token: string) =>
  call('post', '/api/auth/email/confirm', { body: { token } })

export const resendConfirmation = () => call('post', '/api/auth/email/verify')
