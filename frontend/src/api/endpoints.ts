// Every call the app makes, by name. Paths, parameters, bodies and answers are the
// platform's OpenAPI document's (call.ts, schema.d.ts): a call that does not match the
// document does not compile.
import { call, uploadTo } from './call'
import { newIdempotencyKey } from './client'
import type {
  BookingRequest,
  BookingStatus,
  Outcome,
  PhotoUpdate,
  ProfileUpdate,
  PropertyCreate,
  PropertyInput,
  Registration,
  RoomInput,
  RoomUpdate,
  SearchQuery,
} from './types'

export type { Outcome, PropertyInput, Registration, RoomInput } from './types'

// --- identity ----------------------------------------------------------------------------

export const register = (body: Registration) => call('post', '/api/auth/register', { body })

export const getMe = () => call('get', '/api/auth/me')

export const updateMe = (body: ProfileUpdate) => call('patch', '/api/auth/me', { body })

// --- search ------------------------------------------------------------------------------

export const search = (query: SearchQuery, signal?: AbortSignal) =>
  call('get', '/api/search/properties', { query, signal })

export const suggest = (q: string, signal?: AbortSignal) =>
  call('get', '/api/search/suggest', { query: { q }, signal })

// --- listings ----------------------------------------------------------------------------

export const getProperty = (id: string, signal?: AbortSignal) =>
  call('get', '/api/properties/{pk}/', { path: { pk: id }, signal })

export const myProperties = (page = 1) =>
  call('get', '/api/properties/', { query: { owner: 'me', page } })

export const createProperty = (body: PropertyCreate, idempotencyKey: string) =>
  call('post', '/api/properties/', { body, idempotencyKey })

export const updateProperty = (id: string, body: PropertyInput) =>
  call('patch', '/api/properties/{pk}/', { path: { pk: id }, body })

export const deleteProperty = (id: string) =>
  call('delete', '/api/properties/{pk}/', { path: { pk: id } })

export const publishProperty = (id: string) =>
  call('post', '/api/properties/{pk}/publish/', {
    path: { pk: id },
    idempotencyKey: newIdempotencyKey(),
  })

export const unpublishProperty = (id: string) =>
  call('post', '/api/properties/{pk}/unpublish/', {
    path: { pk: id },
    idempotencyKey: newIdempotencyKey(),
  })

export const createRoom = (propertyId: string, body: RoomInput, idempotencyKey: string) =>
  call('post', '/api/properties/{pk}/rooms/', { path: { pk: propertyId }, body, idempotencyKey })

export const updateRoom = (propertyId: string, roomId: string, body: RoomUpdate) =>
  call('patch', '/api/properties/{pk}/rooms/{room_id}/', {
    path: { pk: propertyId, room_id: roomId },
    body,
  })

export const deleteRoom = (propertyId: string, roomId: string) =>
  call('delete', '/api/properties/{pk}/rooms/{room_id}/', {
    path: { pk: propertyId, room_id: roomId },
  })

export const uploadPhoto = (propertyId: string, file: File, onProgress: (f: number) => void) =>
  uploadTo('/api/properties/{pk}/photos/', { pk: propertyId }, { file }, onProgress)

export const updatePhoto = (propertyId: string, photoId: string, body: PhotoUpdate) =>
  call('patch', '/api/properties/{pk}/photos/{photo_id}/', {
    path: { pk: propertyId, photo_id: photoId },
    body,
  })

export const deletePhoto = (propertyId: string, photoId: string) =>
  call('delete', '/api/properties/{pk}/photos/{photo_id}/', {
    path: { pk: propertyId, photo_id: photoId },
  })

// --- bookings ----------------------------------------------------------------------------

export const roomAvailability = (roomId: string, signal?: AbortSignal) =>
  call('get', '/api/bookings/rooms/{room_id}/availability/', {
    path: { room_id: roomId },
    signal,
  })

export const createBooking = (body: BookingRequest, idempotencyKey: string) =>
  call('post', '/api/bookings/', { body, idempotencyKey })

export const getBooking = (id: string, signal?: AbortSignal) =>
  call('get', '/api/bookings/{booking_id}/', { path: { booking_id: id }, signal })

export const listBookings = (params: { status?: BookingStatus | ''; page?: number } = {}) =>
  call('get', '/api/bookings/', {
    query: {
      status: params.status || undefined,
      page: params.page && params.page > 1 ? params.page : undefined,
    },
  })

export const cancellationQuote = (id: string) =>
  call('get', '/api/bookings/{booking_id}/cancel/', { path: { booking_id: id } })

export const cancelBooking = (id: string, idempotencyKey: string) =>
  call('post', '/api/bookings/{booking_id}/cancel/', {
    path: { booking_id: id },
    idempotencyKey,
  })

export const simulatePayment = (id: string, outcome: Outcome) =>
  call('post', '/api/bookings/{booking_id}/simulate-payment/', {
    path: { booking_id: id },
    body: { outcome },
  })
