// The search box with suggestions as you type: the ARIA 1.2 combobox pattern (listbox
// popup, aria-activedescendant), written out because a component library's combobox
// brought ~40 KB of positioning code to the landing page for one dropdown.
import { Input } from '@mantine/core'
import { useId, useState, type KeyboardEvent } from 'react'
import type { Suggestion } from '../api/types'

const KINDS: Record<Suggestion['kind'], string> = {
  city: 'City',
  locality: 'Area',
  title: 'Listing',
}

interface Props {
  value: string
  onChange: (value: string) => void
  suggestions: Suggestion[]
  onChoose: (suggestion: Suggestion) => void
  label: string
  placeholder?: string
}

export function SearchBox({ value, onChange, suggestions, onChoose, label, placeholder }: Props) {
  const id = useId()
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const shown = open && suggestions.length > 0
  const optionId = (index: number) => `${id}-option-${index}`

  const choose = (index: number) => {
    const suggestion = suggestions[index]
    if (!suggestion) return
    setOpen(false)
    setActive(-1)
    onChoose(suggestion)
  }

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault()
      setOpen(true)
      setActive((i) => (i + 1) % Math.max(suggestions.length, 1))
    } else if (event.key === 'ArrowUp') {
      event.preventDefault()
      setOpen(true)
      setActive((i) => (i <= 0 ? suggestions.length - 1 : i - 1))
    } else if (event.key === 'Enter' && shown && active >= 0) {
      event.preventDefault()
      choose(active)
    } else if (event.key === 'Escape') {
      if (shown) event.preventDefault()
      setOpen(false)
      setActive(-1)
    }
  }

  return (
    <Input.Wrapper label={label} id={`${id}-input`} style={{ position: 'relative', flex: 1 }}>
      <Input
        id={`${id}-input`}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={`${id}-listbox`}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        value={value}
        data-testid="search-input"
        onChange={(event) => {
          onChange(event.currentTarget.value)
          setOpen(true)
          setActive(-1)
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <ul
        id={`${id}-listbox`}
        role="listbox"
        aria-label="Suggestions"
        hidden={!shown}
        style={{
          position: 'absolute',
          zIndex: 300,
          left: 0,
          right: 0,
          top: '100%',
          margin: '4px 0 0',
          padding: 4,
          listStyle: 'none',
          background: 'var(--mantine-color-body)',
          border: '1px solid var(--mantine-color-gray-4)',
          borderRadius: 8,
          boxShadow: 'var(--mantine-shadow-md)',
        }}
      >
        {suggestions.map((suggestion, index) => (
          <li
            key={`${suggestion.kind}:${suggestion.text}:${suggestion.id ?? ''}`}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => {
              event.preventDefault() // keep the focus in the box
              choose(index)
            }}
            onMouseEnter={() => setActive(index)}
            style={{
              padding: '6px 10px',
              borderRadius: 6,
              cursor: 'pointer',
              display: 'flex',
              justifyContent: 'space-between',
              gap: 12,
              background: index === active ? 'var(--mantine-color-blue-0)' : undefined,
            }}
          >
            <span>{suggestion.text}</span>
            <span style={{ color: 'var(--mantine-color-dimmed)', fontSize: 13 }}>{KINDS[suggestion.kind]}</span>
          </li>
        ))}
      </ul>
    </Input.Wrapper>
  )
}
