// The platform's shapes, by the names the app uses: aliases onto the types generated
// from the platform's OpenAPI document (schema.d.ts from openapi.json: `make openapi`;
// docs/architecture/api.md). Nothing here is typed by hand.
import type { components, paths } from './schema'

type Schemas = components['schemas']

// --- identity ----------------------------------------------------------------------------

export type Role = Schemas['Role']
export type User = Schemas['User']
/** The answer of /api/session/login, refresh and password (the gateway's own). */
export type SessionAnswer = Schemas['Session']
export type LoginRequest = Schemas['LoginRequest']
export type PasswordChangeRequest = Schemas['PasswordChangeRequest']
export type Registration = Schemas['RegisterRequest']
export type ProfileUpdate = Schemas['PatchedMeUpdateRequest']

// --- listings ----------------------------------------------------------------------------

export type Address = Schemas['Address']
export type GeoPoint = Schemas['Location']
export type PropertyStatus = Schemas['PropertyStatus']
export type PropertyType = Schemas['PropertyType']
export type Amenity = Schemas['AmenitiesEnum']
export type Room = Schemas['Room']
export type Photo = Schemas['Photo']
export type Property = Schemas['Property']
/** A new listing (POST) and a change to one (PATCH: any subset). */
export type PropertyCreate = Schemas['PropertyInputRequest']
export type PropertyInput = Schemas['PatchedPropertyInputRequest']
export type RoomInput = Schemas['RoomInputRequest']
export type RoomUpdate = Schemas['PatchedRoomInputRequest']
export type PhotoUpdate = Schemas['PatchedPhotoUpdateRequest']

// --- search ------------------------------------------------------------------------------

export type SearchHit = Schemas['SearchResult']
export type FacetValue = Schemas['FacetValue']
export type PriceRange = Schemas['PriceRangeFacet']
export type SearchResponse = Schemas['SearchPage']
export type Suggestion = Schemas['Suggestion']
export type Suggestions = Schemas['Suggestions']
/** GET /api/search/properties' query parameters. */
export type SearchQuery = NonNullable<paths['/api/search/properties']['get']['parameters']['query']>

// --- bookings ----------------------------------------------------------------------------

export type BookingStatus = Schemas['BookingStatus']
export type Booking = Schemas['Booking']
export type BookingRequest = Schemas['BookingRequestRequest']
export type Availability = Schemas['RoomAvailability']
export type CancellationQuote = Schemas['CancellationQuote']
export type Outcome = Schemas['BookingOutcomeEnum']
export type SimulationAnswer = Schemas['SimulatedPayment']
/** GET /api/bookings/' query parameters. */
export type BookingsQuery = NonNullable<paths['/api/bookings/']['get']['parameters']['query']>

// --- vocabularies, in the order the app shows them ---------------------------------------

/** A list of every member of the union T: tsc fails when the document names one that
 * the list leaves out (or the list names one the document does not). */
const everyOf =
  <T extends string>() =>
  <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> }),
  ): L =>
    list

// The contract's amenity vocabulary (docs/contracts/property-events.md), in its order.
export const AMENITIES = everyOf<Amenity>()([
  'wifi',
  'parking',
  'air_conditioning',
  'heating',
  'washing_machine',
  'kitchen',
  'refrigerator',
  'tv',
  'gym',
  'swimming_pool',
  'lift',
  'power_backup',
  'security',
  'balcony',
  'pet_friendly',
  'wheelchair_access',
  'housekeeping',
  'meals',
  'water_purifier',
  'geyser',
])

export const PROPERTY_TYPES = everyOf<PropertyType>()([
  'apartment',
  'house',
  'studio',
  'room',
  'shared',
  'villa',
])

// --- rent --------------------------------------------------------------------------------

export type Lease = Schemas['Lease']
/** A lease in the list: with the tenant's name. */
export type LeaseListItem = Schemas['LeaseListItem']
export type LeaseStatus = Schemas['LeaseStatus']
export type LeaseCreate = Schemas['LeaseCreateRequest']
export type LeaseUpdate = Schemas['PatchedLeaseUpdateRequest']
export type Invoice = Schemas['Invoice']
export type InvoiceStatus = Schemas['InvoiceStatus']
export type RentPayment = Schemas['RentPayment']
export type RentPaymentStatus = Schemas['RentPaymentStatus']
export type RentOutcome = Schemas['RentOutcomeEnum']
export type RefundRequest = Schemas['RefundRequest']
export type RentRoll = Schemas['RentRoll']
export type RentRollRow = Schemas['RentRollRow']
export type RentRollTotal = Schemas['RentRollTotal']

// --- visits ------------------------------------------------------------------------------

export type Visit = Schemas['Visit']
export type VisitStatus = Schemas['VisitStatus']
export type VisitSlot = Schemas['VisitSlot']
export type VisitSlots = Schemas['VisitSlots']
export type VisitAvailability = Schemas['VisitAvailability']
export type AvailabilityInput = Schemas['AvailabilityRequest']
export type WeeklyRule = Schemas['WeeklyRuleRequest']
export type DateException = Schemas['DateExceptionRequest']
