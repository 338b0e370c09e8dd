import { MantineProvider, createTheme } from '@mantine/core'
import { QueryClientProvider } from '@tanstack/react-query'
import { createBrowserRouter, type RouteObject } from 'react-router'
import { RouterProvider } from 'react-router/dom'
import { Layout } from './components/Layout'
import { RouteError } from './components/RouteError'
import { SearchPage } from './pages/SearchPage'
import { queryClient } from './queryClient'

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  autoContrast: true,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
})

// Every page but search (the landing page, in the main bundle for the first paint) is
// its own chunk, loaded when first visited.
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({
  Component: (await load()).default,
})

export const routes: RouteObject[] = [
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <SearchPage />, errorElement: <RouteError /> },
      {
        errorElement: <RouteError />,
        children: [
          { path: 'listings/:id', lazy: page(() => import('./pages/ListingPage')) },
          { path: 'listings/:id/book/:roomId', lazy: page(() => import('./pages/BookPage')) },
          { path: 'bookings', lazy: page(() => import('./pages/MyBookingsPage')) },
          { path: 'bookings/:id', lazy: page(() => import('./pages/BookingPage')) },
          { path: 'dev/checkout/:id', lazy: page(() => import('./pages/DevCheckoutPage')) },
          { path: 'login', lazy: page(() => import('./pages/LoginPage')) },
          { path: 'register', lazy: page(() => import('./pages/RegisterPage')) },
          { path: 'account', lazy: page(() => import('./pages/AccountPage')) },
          {
            path: 'landlord/properties',
            lazy: page(() => import('./pages/landlord/PropertiesPage')),
          },
          {
            path: 'landlord/properties/new',
            lazy: page(() => import('./pages/landlord/PropertyEditPage')),
          },
          {
            path: 'landlord/properties/:id',
            lazy: page(() => import('./pages/landlord/PropertyEditPage')),
          },
          {
            path: 'landlord/bookings',
            lazy: page(() => import('./pages/landlord/LandlordBookingsPage')),
          },
          { path: 'offline', lazy: page(() => import('./pages/OfflinePage')) },
          { path: '*', lazy: page(() => import('./pages/NotFoundPage')) },
        ],
      },
    ],
  },
]

const router = createBrowserRouter(routes)

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  )
}
