// The connection notice: a reconnection shorter than 2 s shows nothing; a longer one says
// so; a new spell of connecting starts unflagged. Rendered under StrictMode, as the app
// is (its effects run twice in development).
import { MantineProvider } from '@mantine/core'
import { act, render, screen } from '@testing-library/react'
import { StrictMode } from 'react'
import { theme } from '../../App'
import type { ConnectionState } from '../../chat/client'
import { ConnectionNotice } from './parts'

const view = (state: ConnectionState) => (
  <StrictMode>
    <MantineProvider theme={theme}>
      <ConnectionNotice state={state} />
    </MantineProvider>
  </StrictMode>
)

afterEach(() => vi.useRealTimers())

describe('ConnectionNotice', () => {
  it('says "Connecting…" only after 2 s, and starts over on the next spell', () => {
    vi.useFakeTimers()
    const { rerender } = render(view('connecting'))
    expect(screen.queryByTestId('chat-connection')).toBeNull()
    act(() => vi.advanceTimersByTime(2_100))
    expect(screen.getByTestId('chat-connection')).toHaveTextContent('Connecting…')
    rerender(view('open'))
    expect(screen.queryByTestId('chat-connection')).toBeNull()
    rerender(view('connecting'))
    expect(screen.queryByTestId('chat-connection')).toBeNull()
    act(() => vi.advanceTimersByTime(1_000))
    expect(screen.queryByTestId('chat-connection')).toBeNull()
    act(() => vi.advanceTimersByTime(1_100))
    expect(screen.getByTestId('chat-connection')).toHaveTextContent('Connecting…')
  })

  it('says "Offline" at once', () => {
    render(view('offline'))
    expect(screen.getByTestId('chat-connection')).toHaveTextContent('Offline')
  })
})
