// The visits service's calls (schedule_visit), typed by the OpenAPI document like
// endpoints.ts; a module of its own, out of the search page's first load.
import { call, url } from './call'
import { downloadFile } from './download'
import type { AvailabilityInput, VisitStatus } from './types'

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
