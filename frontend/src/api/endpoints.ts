// Every call the app makes, by name (paths and shapes: README walk-throughs, docs/services).
import { api, newIdempotencyKey, upload } from './client'
import type {
  Availability,
  Booking,
  BookingStatus,
  CancellationQuote,
  Page,
  Photo,
  Property,
  Room,
  SearchResponse,
  SimulationAnswer,
  Suggestion,
  User,
} from './types'

// --- identity ----------------------------------------------------------------------------

export interface Registration {
  email: string
  password: string
  full_name: string
  role: 'tenant' | 'landlord'
  phone?: string
  time_zone?: string
  locale?: string
}

export const register = (body: Registration) =>
  api<{ user: User }>('/api/auth/register', { method: 'POST', body })

export const getMe = () => api<User>('/api/auth/me')

export const updateMe = (
  body: Partial<Pick<User, 'full_name' | 'phone' | 'time_zone' | 'locale'>>,
) => api<User>('/api/auth/me', { method: 'PATCH', body })

// --- search ------------------------------------------------------------------------------

export const search = (query: URLSearchParams, signal?: AbortSignal) =>
  api<SearchResponse>(`/api/search/properties?${query.toString()}`, { signal })

export const suggest = (q: string, signal?: AbortSignal) =>
  api<{ q: string; suggestions: Suggestion[] }>(
    `/api/search/suggest?q=${encodeURIComponent(q)}`,
    { signal },
  )

// --- listings ----------------------------------------------------------------------------

export const getProperty = (id: string, signal?: AbortSignal) =>
  api<Property>(`/api/properties/${id}/`, { signal })

export const myProperties = (page = 1) =>
  api<Page<Property>>(`/api/properties/?owner=me&page=${page}`)

export type PropertyInput = Partial<
  Omit<
    Property,
    'id' | 'owner_id' | 'status' | 'rooms' | 'photos' | 'cover_photo_url' | 'created_at' | 'updated_at' | 'published_at'
  >
>

export const createProperty = (body: PropertyInput, idempotencyKey: string) =>
  api<Property>('/api/properties/', { method: 'POST', body, idempotencyKey })

export const updateProperty = (id: string, body: PropertyInput) =>
  api<Property>(`/api/properties/${id}/`, { method: 'PATCH', body })

export const deleteProperty = (id: string) =>
  api<void>(`/api/properties/${id}/`, { method: 'DELETE' })

export const publishProperty = (id: string) =>
  api<Property>(`/api/properties/${id}/publish/`, {
    method: 'POST',
    idempotencyKey: newIdempotencyKey(),
  })

export const unpublishProperty = (id: string) =>
  api<Property>(`/api/properties/${id}/unpublish/`, {
    method: 'POST',
    idempotencyKey: newIdempotencyKey(),
  })

export interface RoomInput {
  name: string
  total_units: number
  monthly_price: string
  deposit?: string | null
}

export const createRoom = (propertyId: string, body: RoomInput, idempotencyKey: string) =>
  api<Room>(`/api/properties/${propertyId}/rooms/`, { method: 'POST', body, idempotencyKey })

export const updateRoom = (propertyId: string, roomId: string, body: Partial<RoomInput>) =>
  api<Room>(`/api/properties/${propertyId}/rooms/${roomId}/`, { method: 'PATCH', body })

export const deleteRoom = (propertyId: string, roomId: string) =>
  api<void>(`/api/properties/${propertyId}/rooms/${roomId}/`, { method: 'DELETE' })

export function uploadPhoto(propertyId: string, file: File, onProgress: (f: number) => void) {
  const form = new FormData()
  form.append('file', file)
  return upload<Photo>(`/api/properties/${propertyId}/photos/`, form, onProgress)
}

export const updatePhoto = (
  propertyId: string,
  photoId: string,
  body: { position?: number; is_cover?: boolean },
) => api<Photo>(`/api/properties/${propertyId}/photos/${photoId}/`, { method: 'PATCH', body })

export const deletePhoto = (propertyId: string, photoId: string) =>
  api<void>(`/api/properties/${propertyId}/photos/${photoId}/`, { method: 'DELETE' })

// --- bookings ----------------------------------------------------------------------------

export const roomAvailability = (roomId: string, signal?: AbortSignal) =>
  api<Availability>(`/api/bookings/rooms/${roomId}/availability/`, { signal })

export interface BookingRequest {
  room_id: string
  quantity: number
  move_in_date: string
}

export const createBooking = (body: BookingRequest, idempotencyKey: string) =>
  api<Booking>('/api/bookings/', { method: 'POST', body, idempotencyKey })

export const getBooking = (id: string, signal?: AbortSignal) =>
  api<Booking>(`/api/bookings/${id}/`, { signal })

export const listBookings = (params: { status?: BookingStatus | ''; page?: number } = {}) => {
  const query = new URLSearchParams()
  if (params.status) query.set('status', params.status)
  if (params.page && params.page > 1) query.set('page', String(params.page))
  const suffix = query.toString() ? `?${query}` : ''
  return api<Page<Booking>>(`/api/bookings/${suffix}`)
}

export const cancellationQuote = (id: string) =>
  api<CancellationQuote>(`/api/bookings/${id}/cancel/`)

export const cancelBooking = (id: string, idempotencyKey: string) =>
  api<Booking>(`/api/bookings/${id}/cancel/`, { method: 'POST', idempotencyKey })

export type Outcome = 'paid' | 'declined' | 'expired' | 'failed'

export const simulatePayment = (id: string, outcome: Outcome) =>
  api<SimulationAnswer>(`/api/bookings/${id}/simulate-payment/`, {
    method: 'POST',
    body: { outcome },
  })
