import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { resetForTests } from '../session/session'
import { renderPage } from '../test/render'
import LoginPage, { safeNext } from './LoginPage'

afterEach(() => {
  vi.restoreAllMocks()
  resetForTests()
})

describe('signing in', () => {
  it('checks the fields before asking, then shows the API error at the form', async () => {
    const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      new Response(JSON.stringify({ error: { code: 'invalid_credentials', message: 'The email or password is incorrect.' } }), { status: 401 }),
    )
    renderPage(<LoginPage />, { path: '/login', pattern: '/login' })
    await userEvent.click(await screen.findByRole('button', { name: 'Sign in' }))
    expect(await screen.findByText('Enter your email.')).toBeInTheDocument()
    expect(fetch).not.toHaveBeenCalled()

    await userEvent.type(screen.getByLabelText(/Email/), 'asha@example.com')
    await userEvent.type(screen.getByLabelText(/Password/), 'wrong-password')
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is incorrect.')
    const [url, init] = fetch.mock.calls[0]!
    expect(url).toBe('/api/session/login')
    expect(new Headers(init!.headers).get('X-CSRF')).toBe('1')
  })

  it('goes back only to a page of this app', () => {
    expect(safeNext('/bookings/1')).toBe('/bookings/1')
    expect(safeNext('//evil.example/')).toBe('/')
    expect(safeNext('https://evil.example/')).toBe('/')
  })
})
