// Rent's calls (rent_service), typed by the OpenAPI document like endpoints.ts. A module
// of its own so the search page's first load does not carry them (only the rent pages
// import it).
import { call, url } from './call'
import { downloadFile } from './download'
import type { InvoiceStatus, LeaseCreate, LeaseStatus, LeaseUpdate, RefundRequest, RentOutcome } from './types'

export const listLeases = (query: { property_id?: string; status?: LeaseStatus; page?: number } = {}) =>
  call('get', '/api/rent/leases/', { query })

export const getLease = (id: string) =>
  call('get', '/api/rent/leases/{lease_id}/', { path: { lease_id: id } })

export const createLease = (body: LeaseCreate, idempotencyKey: string) =>
  call('post', '/api/rent/leases/', { body, idempotencyKey })

export const updateLease = (id: string, body: LeaseUpdate) =>
  call('patch', '/api/rent/leases/{lease_id}/', { path: { lease_id: id }, body })

export const terminateLease = (id: string, reason: string) =>
  call('post', '/api/rent/leases/{lease_id}/terminate/', { path: { lease_id: id }, body: { reason } })

export const giveNotice = (id: string, moveOut: string | null) =>
  call('post', '/api/rent/leases/{lease_id}/notice/', {
    path: { lease_id: id },
    body: { move_out_date: moveOut },
  })

export const saveCard = (id: string) =>
  call('post', '/api/rent/leases/{lease_id}/card/', { path: { lease_id: id } })

export const forgetCard = (id: string) =>
  call('delete', '/api/rent/leases/{lease_id}/card/', { path: { lease_id: id } })

export const simulateCard = (id: string) =>
  call('post', '/api/rent/leases/{lease_id}/simulate-card/', {
    path: { lease_id: id },
    body: { action: 'save_card' },
  })

export const setAutopay = (id: string, enabled: boolean) =>
  call('post', '/api/rent/leases/{lease_id}/autopay/', { path: { lease_id: id }, body: { enabled } })

export const listInvoices = (query: { lease_id?: string; status?: InvoiceStatus; page?: number } = {}) =>
  call('get', '/api/rent/invoices/', { query })

export const payInvoice = (id: string, amount: string | undefined, idempotencyKey: string) =>
  call('post', '/api/rent/invoices/{invoice_id}/pay/', {
    path: { invoice_id: id },
    body: amount ? { amount } : {},
    idempotencyKey,
  })

export const waiveLateFee = (id: string) =>
  call('post', '/api/rent/invoices/{invoice_id}/waive-late-fee/', { path: { invoice_id: id } })

export const listPayments = (query: { lease_id?: string; invoice_id?: string; page?: number } = {}) =>
  call('get', '/api/rent/payments/', { query })

export const getPayment = (id: string) =>
  call('get', '/api/rent/payments/{payment_id}/', { path: { payment_id: id } })

export const simulateRentPayment = (id: string, outcome: RentOutcome) =>
  call('post', '/api/rent/payments/{payment_id}/simulate/', {
    path: { payment_id: id },
    body: { outcome },
  })

export const refundPayment = (id: string, body: RefundRequest) =>
  call('post', '/api/rent/payments/{payment_id}/refund/', { path: { payment_id: id }, body })

export const downloadReceipt = (id: string) =>
  downloadFile(url('/api/rent/payments/{payment_id}/receipt.pdf', { payment_id: id }), `receipt-${id.slice(0, 8)}.pdf`, 'application/pdf')

export const rentRoll = (month: string) => call('get', '/api/rent/roll/', { query: { month } })

export const downloadRentRoll = (month: string) =>
  downloadFile(url('/api/rent/roll/', {}, { month }), `rent-roll-${month}.csv`, 'text/csv')

