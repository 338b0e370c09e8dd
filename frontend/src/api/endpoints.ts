// Every call the app makes, by name. Paths, parameters, bodies and answers are the
// platform's OpenAPI document's (call.ts, schema.d.ts): a call that does not match the
// document does not compile.
import { call, uploadTo, url } from './call'
import { downloadFile, newIdempotencyKey } from './client'
import type {
  AvailabilityInput,
  BookingRequest,
  BookingStatus,
  InvoiceStatus,
  LeaseCreate,
  LeaseStatus,
  LeaseUpdate,
  RefundRequest,
  RentOutcome,
  VisitStatus,
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

// --- rent --------------------------------------------------------------------------------

export const listLeases = (query: { property_id?: string; status?: LeaseStatus; page?: number } = {}) =>
  call('get', '/api/rent/leases/', { query })

export const getLease = (id: string) =>
  call('get', '/api/rent/leases/{lease_id}/', { path: { lease_id: id } })

export const createLease = (body: LeaseCreate, idempotencyKey: string) =>
  call('post', '/api/rent/leases/', { body, idempotencyKey })

export const updateLease = (id: string, body: LeaseUpdate) =>
  call('patch', '/api/rent/leases/{lease_id}/', { path: { lease_id: id }, body })

export const terminateLease = (id: string, reason: string) =>
  call('post', '/api/rent/leases/{lease_id}/terminate/', { path: { lease_id: id }, body: { reason } })

export const giveNotice = (id: string, moveOut: string | null) =>
  call('post', '/api/rent/leases/{lease_id}/notice/', {
    path: { lease_id: id },
    body: { move_out_date: moveOut },
  })

export const saveCard = (id: string) =>
  call('post', '/api/rent/leases/{lease_id}/card/', { path: { lease_id: id } })

export const forgetCard = (id: string) =>
  call('delete', '/api/rent/leases/{lease_id}/card/', { path: { lease_id: id } })

export const simulateCard = (id: string) =>
  call('post', '/api/rent/leases/{lease_id}/simulate-card/', {
    path: { lease_id: id },
    body: { action: 'save_card' },
  })

export const setAutopay = (id: string, enabled: boolean) =>
  call('post', '/api/rent/leases/{lease_id}/autopay/', { path: { lease_id: id }, body: { enabled } })

export const listInvoices = (query: { lease_id?: string; status?: InvoiceStatus; page?: number } = {}) =>
  call('get', '/api/rent/invoices/', { query })

export const payInvoice = (id: string, amount: string | undefined, idempotencyKey: string) =>
  call('post', '/api/rent/invoices/{invoice_id}/pay/', {
    path: { invoice_id: id },
    body: amount ? { amount } : {},
    idempotencyKey,
  })

export const waiveLateFee = (id: string) =>
  call('post', '/api/rent/invoices/{invoice_id}/waive-late-fee/', { path: { invoice_id: id } })

export const listPayments = (query: { lease_id?: string; invoice_id?: string; page?: number } = {}) =>
  call('get', '/api/rent/payments/', { query })

export const getPayment = (id: string) =>
  call('get', '/api/rent/payments/{payment_id}/', { path: { payment_id: id } })

export const simulateRentPayment = (id: string, outcome: RentOutcome) =>
  call('post', '/api/rent/payments/{payment_id}/simulate/', {
    path: { payment_id: id },
    body: { outcome },
  })

export const refundPayment = (id: string, body: RefundRequest) =>
  call('post', '/api/rent/payments/{payment_id}/refund/', { path: { payment_id: id }, body })

export const downloadReceipt = (id: string) =>
  downloadFile(url('/api/rent/payments/{payment_id}/receipt.pdf', { payment_id: id }), `receipt-${id.slice(0, 8)}.pdf`, 'application/pdf')

export const rentRoll = (month: string) => call('get', '/api/rent/roll/', { query: { month } })

export const downloadRentRoll = (month: string) =>
  downloadFile(url('/api/rent/roll/', {}, { month }), `rent-roll-${month}.csv`, 'text/csv')

// --- visits ------------------------------------------------------------------------------

export const visitSlots = (propertyId: string, from?: string, to?: string) =>
  call('get', '/api/visits/properties/{property_id}/slots/', {
    path: { property_id: propertyId },
    query: { from, to },
  })

export const getVisitAvailability = (propertyId: string) =>
  call('get', '/api/visits/properties/{property_id}/availability/', { path: { property_id: propertyId } })

export const putVisitAvailability = (propertyId: string, body: AvailabilityInput) =>
  call('put', '/api/visits/properties/{property_id}/availability/', {
    path: { property_id: propertyId },
    body,
  })

export const listVisits = (query: { property_id?: string; status?: VisitStatus; page?: number } = {}) =>
  call('get', '/api/visits/requests/', { query })

export const requestVisit = (propertyId: string, start: string, idempotencyKey: string) =>
  call('post', '/api/visits/requests/', { body: { property_id: propertyId, start }, idempotencyKey })

export const confirmVisit = (id: string) =>
  call('post', '/api/visits/requests/{visit_id}/confirm/', { path: { visit_id: id } })

export const declineVisit = (id: string, reason: string) =>
  call('post', '/api/visits/requests/{visit_id}/decline/', { path: { visit_id: id }, body: { reason } })

export const cancelVisit = (id: string, reason: string) =>
  call('post', '/api/visits/requests/{visit_id}/cancel/', { path: { visit_id: id }, body: { reason } })

export const rescheduleVisit = (id: string, start: string) =>
  call('post', '/api/visits/requests/{visit_id}/reschedule/', { path: { visit_id: id }, body: { start } })

export const downloadVisitIcs = (id: string) =>
  downloadFile(url('/api/visits/requests/{visit_id}/visit.ics', { visit_id: id }), `visit-${id.slice(0, 8)}.ics`, 'text/calendar')

export const calendarFeed = () => call('post', '/api/visits/calendar-feed/')
