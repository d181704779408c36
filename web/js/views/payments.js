// payments.js: payment history (what was paid, how, for which resources,
// with its invoices) and the holds on the credit: which hold, for which
// resources, how much, until when and what became of it. A payment and a
// hold placed at payment both name their checkout (a hold by its
// reference), whose lines name the resources. The daily hold (DESIGN.md:
// the month's use so far and 3 days) is for every resource the account
// is billed for on its use, so it lists the account's live postpaid
// resources.
import {get, listAll} from '../api.js';
import {add, h, table} from '../dom.js';
import {money, plural, when} from '../format.js';
import {pageTitle} from '../ui.js';
import {t} from '../i18n.js';

const METHOD_LABELS = {credit: 'Credit', gateway: 'Payment gateway', hold: 'Hold on credit'};
const HOLD_STATUS = {pending: 'held', posted: 'settled', voided: 'released', expired: 'expired'};

// checkout id -> [{id, name}] of its resources, one request per checkout.
async function checkoutResources(ids) {
  const map = new Map();
  await Promise.all([...new Set(ids.filter(id => /^chk_\w+$/.test(id || '')))].map(async id => {
    const checkout = await get(`/v1/checkouts/${id}`).catch(() => null);
    if (!checkout) return;
    const seen = new Map();
    for (const l of checkout.lines) if (!seen.has(l.resource_id)) seen.set(l.resource_id, l.resource_name);
    map.set(id, [...seen].map(([rid, name]) => ({id: rid, name})));
  }));
  return map;
}

function resourceLinks(resources) {
  if (!resources || resources.length === 0) return '—';
  const shown = resources.slice(0, 3);
  return h('span', {class: 'resource-links'},
    shown.flatMap((r, i) => [i ? ', ' : null, h('a', {href: `#/resources/${r.id}`}, r.name)]),
    resources.length > shown.length ? t(' and {more} more', {more: resources.length - shown.length}) : null);
}

function invoiceLinks(ids) {
  if (!ids || ids.length === 0) return '—';
  if (ids.length === 1) return h('a', {href: `#/invoices/${ids[0]}`}, '1 invoice');
  return h('details', null, h('summary', null, plural(ids.length, 'invoice')),
    h('ul', {class: 'plain'}, ids.map(id => h('li', null, h('a', {href: `#/invoices/${id}`}, h('code', null, id))))));
}

function paymentsTable(payments, resources, currency) {
  return table([
    {label: 'Date', cell: p => when(p.created_at)},
    {label: 'Amount', class: 'num', cell: p => money(p.amount, p.currency || currency)},
    {label: 'Method', cell: p => METHOD_LABELS[p.method] || p.method},
    {label: 'For', cell: p => resourceLinks(resources.get(p.checkout_id))},
    {label: 'Invoices', cell: p => (p.hold_id ? 'at the monthly invoice' : invoiceLinks(p.invoice_ids))},
    {label: 'Payment', class: 'wide-only', cell: p => h('code', null, p.id)},
  ], payments, 'Payments');
}

function holdsTable(holds, resources, currency) {
  return table([
    {label: 'Hold', class: 'wide-only', cell: x => h('code', null, x.id)},
    {label: 'For', cell: x => resourceLinks(resources.get(x.reference) || resources.get(DAILY_HOLD))},
    {label: 'Amount', class: 'num', cell: x => money(x.amount, currency)},
    {label: 'Status', cell: x => h('span', {class: `badge badge-hold-${x.status}`}, HOLD_STATUS[x.status] || x.status)},
    {label: 'Until', cell: x => when(x.expires_at)},
    {label: 'Settled', class: 'num', cell: x => (x.status === 'posted' ? money(x.posted_amount, currency) : '—')},
    {label: 'Placed', class: 'wide-only', cell: x => when(x.created_at)},
  ], holds, 'Holds');
}

const DAILY_HOLD = 'daily';

// The account's live resources billed on their use: what a daily hold is for.
async function postpaidResources() {
  const list = await listAll('/v1/resources', {billing: 'postpaid'}, () => true, 4);
  return list.items.filter(r => r.status !== 'deleted').map(r => ({id: r.id, name: r.name}));
}

export async function renderPayments(view) {
  const [wallets, payments, holds] = await Promise.all([
    get('/v1/wallets'), listAll('/v1/payments', {}, () => true, 4), listAll('/v1/holds', {}, () => true, 4)]);
  const c = wallets.currency;
  const resources = await checkoutResources([...payments.items.map(p => p.checkout_id),
    ...holds.items.map(x => x.reference)]);
  if (holds.items.some(x => !resources.has(x.reference))) resources.set(DAILY_HOLD, await postpaidResources());
  const live = holds.items.filter(x => x.status === 'pending');
  add(view, pageTitle('Payments'),
    h('section', {class: 'card', 'aria-labelledby': 'holds-h'},
      h('h2', {id: 'holds-h'}, 'Holds on your credit'),
      h('p', {class: 'help'}, live.length
        ? t('{holds} of {amount} in all: credit reserved for services invoiced monthly on their use (such as vContainer). A hold is settled by the monthly invoice, or released.',
          {holds: plural(live.length, 'hold'), amount: money(wallets.credit.held, c)})
        : 'No credit is held now.'),
      holds.items.length ? holdsTable(holds.items, resources, c) : null),
    h('section', {class: 'card', 'aria-labelledby': 'payments-h'},
      h('h2', {id: 'payments-h'}, 'Payment history'),
      payments.items.length ? paymentsTable(payments.items, resources, c) : h('p', {class: 'empty'}, 'No payments yet.'),
      payments.complete ? null : h('p', {class: 'warning'}, `Only the newest ${payments.items.length} payments are shown.`)));
}
