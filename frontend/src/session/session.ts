// The signed-in session, following the OAuth browser-app guidance: the refresh token is
// in an httpOnly cookie only the gateway reads (/api/session/*), the access token lives
// here, in memory, and nowhere else (no localStorage, no sessionStorage). localStorage
// holds one flag, "a session may exist", so anonymous visitors never pay for a refresh.
//
// Tabs: a refresh takes a Web Lock, so tabs refresh one at a time, and announces the new
// access token on a BroadcastChannel; a tab that was waiting for the lock and received
// a fresh token meanwhile uses it instead of refreshing again. (Should two refresh at
// once anyway, auth_service's 10 s duplicate grace keeps both signed in.) Sign-in and
// sign-out are announced the same way, so every tab follows.
import type { JsonBody, Operation } from '../api/call'
import type { SessionAnswer, User } from '../api/types'

// The gateway's own endpoints, typed by the OpenAPI document like every other call.
type Action = 'login' | 'refresh' | 'logout' | 'password'
type SessionOperation<A extends Action> = Operation<`/api/session/${A}`, 'post'>
const CSRF: SessionOperation<Action>['parameters']['header'] = { 'X-CSRF': '1' }

export type Status = 'unknown' | 'signed-in' | 'signed-out'
export interface Snapshot {
  status: Status
  user: User | null
}

const FLAG = 'rentezy.session'
const LOCK = 'rentezy-session-refresh'
const EARLY_MS = 60_000 // refresh this long before the access token expires

type Message =
  | { type: 'token'; access: string; expiresIn: number; user: User | null }
  | { type: 'signed-out' }

let access: string | null = null
let expiresAt = 0
let snapshot: Snapshot = { status: 'unknown', user: null }
let inflight: Promise<boolean> | null = null
let timer: ReturnType<typeof setTimeout> | undefined
const listeners = new Set<() => void>()
let channel: BroadcastChannel | null = null

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

function emit(next: Snapshot): void {
  snapshot = next
  listeners.forEach((listener) => listener())
}

function schedule(expiresIn: number): void {
  clearTimeout(timer)
  const delay = Math.max(expiresIn * 1000 - EARLY_MS, 5_000)
  timer = setTimeout(() => void refresh(), delay)
}

function adopt(token: string, expiresIn: number, user: User | null): void {
  access = token
  expiresAt = Date.now() + expiresIn * 1000
  storage()?.setItem(FLAG, '1')
  emit({ status: 'signed-in', user: user ?? snapshot.user })
  schedule(expiresIn)
}

function forget(): void {
  access = null
  expiresAt = 0
  clearTimeout(timer)
  storage()?.removeItem(FLAG)
  emit({ status: 'signed-out', user: null })
}

function post(message: Message): void {
  channel?.postMessage(message)
}

function connect(): void {
  if (channel || typeof BroadcastChannel === 'undefined') return
  channel = new BroadcastChannel('rentezy-session')
  channel.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data
    if (message.type === 'token') adopt(message.access, message.expiresIn, message.user)
    else if (message.type === 'signed-out') forget()
  }
}

async function sessionCall<A extends Action>(
  action: A,
  body?: JsonBody<SessionOperation<A>>,
  bearer?: string | null,
): Promise<Response> {
  return fetch(`/api/session/${action}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'Content-Type': 'application/json',
      ...CSRF,
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  if (!locks) return work()
  return locks.request(LOCK, work) as Promise<T>
}

// --- the public API ------------------------------------------------------------------

export function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function getSnapshot(): Snapshot {
  return snapshot
}

export function accessToken(): string | null {
  return access
}

/** At start-up: resume the session if one may exist (the cookie is invisible to us). */
export async function start(): Promise<void> {
  connect()
  if (storage()?.getItem(FLAG)) {
    await refresh()
  } else {
    emit({ status: 'signed-out', user: null })
  }
}

/** A new access token from the cookie; true if signed in afterwards. Concurrent calls
 * in this tab share one request; tabs take turns (Web Lock). */
export function refresh(): Promise<boolean> {
  if (inflight) return inflight
  const seen = access
  inflight = withLock(async () => {
    // Another tab refreshed while we waited for the lock: its token came by broadcast.
    if (access && access !== seen && expiresAt - Date.now() > EARLY_MS) return true
    let response: Response
    try {
      response = await sessionCall('refresh')
    } catch {
      return access !== null // offline: keep what we have; try again later
    }
    if (response.ok) {
      const body = (await response.json()) as SessionAnswer
      adopt(body.access, body.access_expires_in, body.user)
      post({ type: 'token', access: body.access, expiresIn: body.access_expires_in, user: body.user })
      return true
    }
    if (response.status === 401 || response.status === 403) {
      forget()
      return false
    }
    return access !== null // 429/503: transient
  }).finally(() => {
    inflight = null
  })
  return inflight
}

/** Sign in; throws the answer (Response) when refused so callers can show its error. */
export async function login(email: string, password: string): Promise<User | null> {
  connect()
  const response = await sessionCall('login', { email, password })
  if (!response.ok) throw response
  const body = (await response.json()) as SessionAnswer
  adopt(body.access, body.access_expires_in, body.user)
  post({ type: 'token', access: body.access, expiresIn: body.access_expires_in, user: body.user })
  return body.user
}

/** Change the password: auth_service ends every other session; this one gets a new
 * cookie from the gateway, so every tab of this browser stays signed in. */
export async function changePassword(current: string, next: string): Promise<void> {
  const response = await sessionCall('password', { current_password: current, new_password: next }, access)
  if (!response.ok) throw response
  const body = (await response.json()) as SessionAnswer
  adopt(body.access, body.access_expires_in, body.user)
  post({ type: 'token', access: body.access, expiresIn: body.access_expires_in, user: body.user })
}

/** Sign out here and in every tab; the session ends at auth_service too. */
export async function logout(): Promise<void> {
  try {
    await sessionCall('logout')
  } finally {
    forget()
    post({ type: 'signed-out' })
  }
}

/** The profile changed (PATCH /api/auth/me): show it everywhere. */
export function updateUser(user: User): void {
  if (snapshot.status !== 'signed-in') return
  emit({ status: 'signed-in', user })
  if (access) post({ type: 'token', access, expiresIn: Math.round((expiresAt - Date.now()) / 1000), user })
}

/** Tests only: back to the first state. */
export function resetForTests(): void {
  access = null
  expiresAt = 0
  inflight = null
  clearTimeout(timer)
  channel?.close()
  channel = null
  snapshot = { status: 'unknown', user: null }
  listeners.clear()
}
