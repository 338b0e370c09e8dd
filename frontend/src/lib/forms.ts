// API errors onto forms: each field's messages next to the field, the rest at the top.
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form'
import { ApiError } from '../api/client'

/** Put an API error's field details on the form's fields (`known` names the form's
 * fields, dotted for nested ones like "address.city"); returns the message for the top of
 * the form, or null when every detail found its field. */
export function applyApiError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  known: readonly string[],
  rename: Record<string, string> = {},
): string | null {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.'
  const fields = error.fieldErrors()
  const leftovers: string[] = []
  let placed = 0
  for (const [rawPath, messages] of Object.entries(fields)) {
    const path = rename[rawPath] ?? rawPath
    if (known.includes(path)) {
      setError(path as Path<T>, { type: 'server', message: messages.join(' ') })
      placed += 1
    } else if (rawPath === 'non_field_errors' || rawPath === 'detail') {
      leftovers.push(messages.join(' '))
    } else {
      leftovers.push(`${path}: ${messages.join(' ')}`)
    }
  }
  if (leftovers.length) return leftovers.join(' ')
  return placed ? null : error.message
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return 'Something went wrong. Please try again.'
}
