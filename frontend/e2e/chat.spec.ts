// Issue #19's chat, in a real browser against the real platform: a tenant contacts the
// landlord from a listing; both chat live (typing, seen marks, the unread count); then the
// tenant's browser goes offline while the landlord writes twice and the tenant writes
// once (shown pending); back online, the tenant gets both messages and its own is sent
// exactly once. An attachment with its upload, block and report. Every page is checked
// with axe-core and photographed at 390×844 and 1440×900.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { apiAs, checkPage, jpeg, newUser, publishedListing, registerUi, RUN } from './helpers'

test.describe.configure({ mode: 'serial' })

const TITLE = `Chat flat ${RUN}`
let landlord: { context: BrowserContext; page: Page }
let tenant: { context: BrowserContext; page: Page }
let conversationUrl = ''

test.afterAll(async () => {
  await landlord?.context.close()
  await tenant?.context.close()
})

const thread = (page: Page) => page.getByTestId('messages')
const bubble = (page: Page, text: string) => thread(page).locator('.chat-bubble').filter({ hasText: text })

async function send(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
  await expect(box).toHaveValue('')
}

test('tenant and landlord chat live: typing, seen, unread', async ({ browser }) => {
  landlord = await newUser(browser)
  await registerUi(landlord.page, 'landlord', 'Lena Landlord')
  const propertyId = await publishedListing(landlord.page, TITLE)

  tenant = await newUser(browser, { timezoneId: 'Asia/Kolkata' })
  const t = tenant.page
  const l = landlord.page
  await registerUi(t, 'tenant', 'Tomas Tenant')

  // Empty list first.
  await t.goto('/messages')
  await expect(t.getByRole('heading', { name: 'No conversations yet' })).toBeVisible()
  await checkPage(t, 'chat-list-empty')

  // "Contact landlord" on the listing: chat_service learns of the listing from
  // property-events within a second or two, so the first click may be early.
  await t.goto(`/listings/${propertyId}`)
  await expect(async () => {
    await t.getByRole('button', { name: 'Contact landlord' }).click()
    await expect(t).toHaveURL(/\/messages\/[0-9a-f-]{36}$/, { timeout: 4000 })
  }).toPass({ timeout: 60_000 })
  conversationUrl = new URL(t.url()).pathname
  await expect(t.getByRole('heading', { name: TITLE })).toBeVisible()
  await expect(t.getByText('No messages yet. Say hello!')).toBeVisible()
  await checkPage(t, 'chat-conversation-empty')

  await send(t, 'Hello! Is the twin room free from January?')
  await expect(bubble(t, 'Is the twin room free')).toHaveAttribute('data-state', 'sent')
  await expect(bubble(t, 'Is the twin room free')).toContainText('Sent')

  // The landlord: the Messages link counts it, the list shows it unread with its preview.
  await l.goto('/messages')
  await expect(l.getByRole('link', { name: /^Messages\s*1 unread$/ })).toBeVisible()
  const row = l.locator(`[data-conversation-id]`).filter({ hasText: TITLE })
  await expect(row.getByTestId('unread')).toHaveText('1 unread')
  await expect(row.getByTestId('preview')).toHaveText('Hello! Is the twin room free from January?')
  await checkPage(l, 'chat-list')

  // Opening it reads it: the tenant sees "Seen" live, the landlord's count goes.
  await row.click()
  await expect(bubble(l, 'Is the twin room free')).toBeVisible()
  await expect(bubble(t, 'Is the twin room free')).toContainText('Seen')
  await expect(l.getByRole('link', { name: 'Messages', exact: true })).toBeVisible()

  // Typing shows on the other side; the reply arrives live.
  await l.getByRole('textbox', { name: 'Message' }).pressSequentially('Yes, it', { delay: 40 })
  await expect(t.getByTestId('typing')).toHaveText('The landlord is typing…')
  await l.getByRole('textbox', { name: 'Message' }).fill('Yes, it is free from the 5th.')
  await l.getByRole('textbox', { name: 'Message' }).press('Enter')
  await expect(bubble(t, 'free from the 5th')).toBeVisible()
  await expect(t.getByTestId('typing')).toHaveText('')
  await t.getByRole('textbox', { name: 'Message' }).pressSequentially('Great', { delay: 40 })
  await expect(l.getByTestId('typing')).toHaveText('The tenant is typing…')
  await send(t, 'Great, thank you!')
  await expect(bubble(l, 'Great, thank you!')).toBeVisible()
  await expect(bubble(l, 'free from the 5th')).toContainText('Seen')
  await checkPage(l, 'chat-conversation')
  await checkPage(t, 'chat-conversation-tenant')
})

test('offline: the tenant misses nothing, and its message is sent once', async () => {
  const t = tenant.page
  const l = landlord.page
  await tenant.context.setOffline(true)
  await expect(t.getByTestId('chat-connection')).toContainText('Offline')

  await send(l, 'First while you were away')
  await send(l, 'Second while you were away')
  await expect(bubble(l, 'Second while you were away')).toHaveAttribute('data-state', 'sent')

  await send(t, 'Written while offline')
  const pending = bubble(t, 'Written while offline')
  await expect(pending).toHaveAttribute('data-state', 'pending')
  await expect(pending).toContainText('Sending…')
  await expect(bubble(t, 'while you were away')).toHaveCount(0)
  await checkPage(t, 'chat-offline-pending')

  await tenant.context.setOffline(false)
  await expect(bubble(t, 'First while you were away')).toBeVisible({ timeout: 30_000 })
  await expect(bubble(t, 'Second while you were away')).toBeVisible()
  await expect(bubble(t, 'Written while offline')).toHaveAttribute('data-state', 'sent', { timeout: 30_000 })
  await expect(bubble(t, 'Written while offline')).toHaveCount(1)
  await expect(t.getByTestId('chat-connection')).toHaveCount(0)
  // In order: the landlord's two, then the tenant's (stored after them).
  const texts = await thread(t).locator('.chat-bubble .chat-body').allTextContents()
  expect(texts.slice(-3)).toEqual(['First while you were away', 'Second while you were away', 'Written while offline'])

  // The landlord got it live, once; the server stored it once.
  await expect(bubble(l, 'Written while offline')).toHaveCount(1)
  const id = conversationUrl.split('/').pop()!
  const page = await apiAs<{ results: { body: string }[] }>(t, 'GET', `/api/chat/conversations/${id}/messages/`)
  expect(page.results.filter((m) => m.body === 'Written while offline')).toHaveLength(1)
  expect(page.results.map((m) => m.body)).toEqual([
    'Hello! Is the twin room free from January?',
    'Yes, it is free from the 5th.',
    'Great, thank you!',
    'First while you were away',
    'Second while you were away',
    'Written while offline',
  ])

  // After a reload everything is still there, in the same order, once.
  await t.reload()
  await expect(bubble(t, 'Written while offline')).toHaveCount(1)
  const after = await thread(t).locator('.chat-bubble .chat-body').allTextContents()
  expect(after).toEqual(page.results.map((m) => m.body))
})

test('a photo with its upload progress; block and report', async () => {
  const t = tenant.page
  const l = landlord.page
  await t.getByTestId('attach-input').setInputFiles({ name: 'room.jpg', mimeType: 'image/jpeg', buffer: await jpeg(t) })
  await expect(t.getByText('Photo: room.jpg')).toBeVisible()
  await send(t, 'Here is the photo of the damp corner.')
  await expect(l.getByRole('img', { name: 'Photo: room.jpg' })).toBeVisible()

  // The landlord blocks the tenant: the tenant's next message is refused, shown failed.
  await l.getByRole('button', { name: 'More actions' }).click()
  await l.getByRole('menuitem', { name: 'Block the tenant' }).click()
  await expect(l.getByText('You blocked this person')).toBeVisible()
  await send(t, 'Are you there?')
  await expect(bubble(t, 'Are you there?')).toHaveAttribute('data-state', 'failed')
  await expect(bubble(t, 'Are you there?').getByRole('alert')).toContainText('Not sent')
  await checkPage(t, 'chat-blocked')
  await l.getByRole('button', { name: 'More actions' }).click()
  await l.getByRole('menuitem', { name: 'Unblock the tenant' }).click()
  await expect(l.getByText('You blocked this person')).toBeHidden()
  await bubble(t, 'Are you there?').getByRole('button', { name: 'Try again' }).click()
  await expect(bubble(t, 'Are you there?')).toHaveAttribute('data-state', 'sent')
  await expect(bubble(l, 'Are you there?')).toHaveCount(1)

  // Report.
  await t.getByRole('button', { name: 'More actions' }).click()
  await t.getByRole('menuitem', { name: 'Report…' }).click()
  const dialog = t.getByRole('dialog', { name: 'Report this conversation' })
  await dialog.getByLabel('What happened? (optional)').fill('Testing the report form.')
  await checkPage(t, 'chat-report')
  await dialog.getByRole('button', { name: 'Send report' }).click()
  await expect(dialog.getByText('Our team will look at this conversation.')).toBeVisible()
  await dialog.getByRole('button', { name: 'Done' }).click()
})
