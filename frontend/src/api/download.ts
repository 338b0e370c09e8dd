// Authenticated downloads, out of the first load (only the rent and visits pages use them).
import { accessToken, refresh } from '../session/session'
import { send, toApiError, type RequestOptions } from './client'

/** A file the API serves behind the bearer token (a receipt PDF, a CSV, an .ics): fetched
 * with the same silent refresh as `api`, then handed to the browser as a download (a
 * plain link cannot carry the in-memory token). */
export async function downloadFile(path: string, filename: string, accept: string): Promise<void> {
  const options: RequestOptions = { headers: { Accept: accept } }
  const token = accessToken()
  let response = await send(path, options, token)
  if (response.status === 401 && token && (await refresh())) {
    response = await send(path, options, accessToken())
  }
  if (!response.ok) throw await toApiError(response)
  const blob = await response.blob()
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
}
