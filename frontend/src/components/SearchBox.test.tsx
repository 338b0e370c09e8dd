import { MantineProvider } from '@mantine/core'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import type { Suggestion } from '../api/types'
import { SearchBox } from './SearchBox'

const SUGGESTIONS: Suggestion[] = [
  { text: 'Bengaluru', kind: 'city' },
  { text: 'Sunny 2BHK near Cubbon Park', kind: 'title', id: 'p1' },
]

function Harness({ onChoose }: { onChoose: (s: Suggestion) => void }) {
  const [value, setValue] = useState('')
  return (
    <MantineProvider>
      <SearchBox label="Search" value={value} onChange={setValue} suggestions={value ? SUGGESTIONS : []} onChoose={onChoose} />
    </MantineProvider>
  )
}

describe('the search box (ARIA combobox)', () => {
  it('offers suggestions as you type and picks one with the keyboard', async () => {
    const chosen = vi.fn()
    render(<Harness onChoose={chosen} />)
    const box = screen.getByRole('combobox', { name: 'Search' })
    expect(box).toHaveAttribute('aria-expanded', 'false')
    await userEvent.type(box, 'sun')
    expect(box).toHaveAttribute('aria-expanded', 'true')
    const options = screen.getAllByRole('option')
    expect(options.map((o) => o.textContent)).toEqual(['BengaluruCity', 'Sunny 2BHK near Cubbon ParkListing'])
    await userEvent.keyboard('{ArrowDown}{ArrowDown}')
    expect(box).toHaveAttribute('aria-activedescendant', options[1]!.id)
    expect(options[1]).toHaveAttribute('aria-selected', 'true')
    await userEvent.keyboard('{Enter}')
    expect(chosen).toHaveBeenCalledWith(SUGGESTIONS[1])
    expect(box).toHaveAttribute('aria-expanded', 'false')
  })

  it('closes on Escape', async () => {
    render(<Harness onChoose={vi.fn()} />)
    const box = screen.getByRole('combobox', { name: 'Search' })
    await userEvent.type(box, 'b')
    expect(box).toHaveAttribute('aria-expanded', 'true')
    await userEvent.keyboard('{Escape}')
    expect(box).toHaveAttribute('aria-expanded', 'false')
  })
})
