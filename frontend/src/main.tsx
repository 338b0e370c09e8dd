import '@mantine/core/styles.css'
import './styles.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { prefetchSearch } from './pages/SearchPage'
import { start } from './session/session'

void start()
// The landing page's search starts with the module, not after React's first render.
prefetchSearch()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
