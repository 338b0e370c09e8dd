import { ApiError } from '../api/client'
import { applyApiError } from './forms'

describe('API errors on forms', () => {
  it('puts each field message next to its field, renamed where the form differs', () => {
    const setError = vi.fn()
    const error = new ApiError(400, 'invalid', 'Invalid input.', {
      title: ['Too long.'],
      location: { lat: ['Between -90 and 90.'] },
      address: { country: ["'XX' is not an ISO 3166-1 alpha-2 code."] },
    })
    const top = applyApiError(error, setError, ['title', 'lat', 'address.country'], { 'location.lat': 'lat' })
    expect(top).toBeNull()
    expect(setError).toHaveBeenCalledWith('title', { type: 'server', message: 'Too long.' })
    expect(setError).toHaveBeenCalledWith('lat', { type: 'server', message: 'Between -90 and 90.' })
    expect(setError).toHaveBeenCalledWith('address.country', { type: 'server', message: "'XX' is not an ISO 3166-1 alpha-2 code." })
  })

  it('puts what has no field at the top of the form', () => {
    const error = new ApiError(409, 'sold_out', 'Sold out.')
    expect(applyApiError(error, vi.fn(), ['quantity'])).toBe('Sold out.')
    const other = new ApiError(400, 'invalid', 'Invalid.', { room_id: ['Not a UUID.'] })
    expect(applyApiError(other, vi.fn(), ['quantity'])).toBe('room_id: Not a UUID.')
  })
})
