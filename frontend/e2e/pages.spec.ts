// The rest of the app's promises: sessions (no token stored by the page, two tabs
// refreshing at once stay signed in, signing out signs out every tab), the keyboard
// alone, the account page, sign in, 404 and offline pages.
import { expect, test } from '@playwright/test'
import { checkPage, newUser, PASSWORD, registerUi } from './helpers'

test('sessions: nothing in storage, two tabs refresh together, sign-out reaches every tab', async ({ browser }) => {
  const { context, page } = await newUser(browser)
  try {
    const email = await registerUi(page, 'tenant', 'Tab Tester')
    // The refresh token is an httpOnly cookie: invisible to the page; nothing stored.
    const stored = await page.evaluate(() => ({
      cookies: document.cookie,
      local: Object.entries(localStorage),
      session: Object.entries(sessionStorage),
    }))
    expect(stored.cookies).not.toContain('rentezy_refresh')
    expect(stored.session).toEqual([])
    expect(stored.local).toEqual([['rentezy.session', '1']])
    const cookies = await context.cookies()
    const refresh = cookies.find((c) => c.name === 'rentezy_refresh')
    expect(refresh?.httpOnly).toBe(true)
    expect(refresh?.sameSite).toBe('Strict')
    expect(refresh?.path).toBe('/api/session/')

    // A second tab signs itself in from the cookie.
    const second = await context.newPage()
    await second.goto('/account')
    await expect(second.getByLabel('Full name')).toHaveValue('Tab Tester')
    await checkPage(second, 'account')

    // Both tabs refresh at the same moment with the same cookie: both stay signed in.
    const refreshBoth = () =>
      Promise.all(
        [page, second].map((tab) =>
          tab.evaluate(() =>
            fetch('/api/session/refresh', { method: 'POST', headers: { 'X-CSRF': '1' } }).then((r) => r.status),
          ),
        ),
      )
    expect(await refreshBoth()).toEqual([200, 200])
    await page.reload()
    await second.reload()
    await expect(page.getByRole('link', { name: 'Account of Tab Tester' })).toBeVisible()
    await expect(second.getByRole('link', { name: 'Account of Tab Tester' })).toBeVisible()

    // A request from another site is refused (CSRF): no X-CSRF header, or a foreign origin.
    const forged = await page.evaluate(() =>
      fetch('/api/session/refresh', { method: 'POST' }).then((r) => r.status),
    )
    expect(forged).toBe(403)

    // Signing out in one tab signs out the other.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible()
    await expect(second).toHaveURL(/\/login/)
    const after = await page.evaluate(() =>
      fetch('/api/session/refresh', { method: 'POST', headers: { 'X-CSRF': '1' } }).then((r) => r.status),
    )
    expect(after).toBe(401)

    // Sign in again, with a wrong password first: the message sits at the form.
    await page.goto('/login')
    await page.getByLabel('Email').fill(email)
    await page.locator('input[autocomplete="current-password"]').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('alert')).toContainText('The email or password is incorrect.')
    await checkPage(page, 'login-error')
    await page.locator('input[autocomplete="current-password"]').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('link', { name: 'Account of Tab Tester' })).toBeVisible()
  } finally {
    await context.close()
  }
})

test('the keyboard alone: skip link, search, open a result', async ({ browser }) => {
  const { context, page } = await newUser(browser)
  try {
    await page.goto('/')
    await expect(page.getByTestId('result-count')).toHaveText(/listing/)
    await page.keyboard.press('Tab')
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
    await page.keyboard.press('Enter')
    // From the content, the search box is the first stop.
    await page.keyboard.press('Tab')
    await expect(page.getByTestId('search-input')).toBeFocused()
    await page.keyboard.type('cubon park')
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(/q=cubon(\+|%20)park/)
    await expect(page.getByTestId('results')).toHaveAttribute('data-results-for', 'cubon park')
    const first = page.locator('[data-listing-id] a').first()
    await first.focus()
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(/\/listings\//)
    await expect(page.locator('main')).toBeFocused()
  } finally {
    await context.close()
  }
})

test('404 and offline pages', async ({ browser }) => {
  const { context, page } = await newUser(browser)
  try {
    await page.goto('/no/such/page')
    await expect(page.getByRole('heading', { name: 'This page does not exist' })).toBeVisible()
    await checkPage(page, 'not-found')
    await page.goto('/listings/00000000-0000-4000-8000-000000000000')
    await expect(page.getByRole('heading', { name: 'This listing does not exist' })).toBeVisible()

    await page.goto('/')
    await expect(page.getByTestId('result-count')).toHaveText(/listing/)
    await context.setOffline(true)
    await expect(page.getByText("You're offline", { exact: true })).toBeVisible()
    // A page whose code was never loaded cannot come: the offline page says so.
    await page.getByRole('link', { name: 'Sign up' }).click()
    await expect(page.getByRole('heading', { name: "You're offline" })).toBeVisible()
    await checkPage(page, 'offline')
    await context.setOffline(false)
  } finally {
    await context.close()
  }
})
