// payment.js: paying a checkout (account credit, the payment gateway, or a
// hold for hold-settled services) and the page the gateway returns to.
import {ApiError, get, request, userAction} from '../api.js';
import {add, h, replace} from '../dom.js';
import {money, plural} from '../format.js';
import {errorPanel, pageTitle, whileBusy} from '../ui.js';
import {checkoutTarget, closedCheckout, totals} from './checkout.js';
import {topUpOffer} from './topup.js';

function methodOption(value, label, detail, {checked, disabled}) {
  const id = `method-${value}`;
  return h('div', {class: `method${disabled ? ' method-disabled' : ''}`},
    h('input', {type: 'radio', name: 'method', id, value, checked, disabled, 'aria-describedby': `${id}-detail`}),
    h('label', {for: id}, label),
    h('div', {id: `${id}-detail`, class: 'method-detail'}, detail));
}

// What paying from credit leaves, or how much is missing (the one sum the
// console does: the available credit and the amount due are tallyd's).
function creditDetail(available, due, currency, otherwise) {
  const after = available - due;
  return [
    h('p', null, 'Available credit: ', h('strong', {id: 'credit-available'}, money(available, currency))),
    after >= 0
      ? h('p', null, 'After this payment: ', h('strong', {id: 'credit-after'}, money(after, currency)))
      : h('p', {class: 'warning', id: 'credit-short'},
        `Your available credit is ${money(-after, currency)} short. ${otherwise}`),
    after < 0 ? topUpOffer(-after, currency) : null,
  ];
}

function methods(checkout, wallets) {
  const currency = checkout.currency;
  const available = wallets.credit.available;
  if (checkout.settlement === 'hold') {
    const enough = available >= checkout.hold_amount;
    return [methodOption('hold', 'Hold on account credit', [
      h('p', null, `${money(checkout.hold_amount, currency)} of your credit is held for ${plural(checkout.terms.hold_days, 'day')} of use; `,
        'the service is invoiced monthly on its actual usage.'),
      ...creditDetail(available, checkout.hold_amount, currency,
        'Top up your credit to pay by hold; services billed on use cannot be paid through the gateway.')],
    {checked: enough, disabled: !enough})];
  }
  const enough = available >= checkout.total;
  return [
    methodOption('credit', 'Account credit', creditDetail(available, checkout.total, currency,
      'Top up your credit, or pay through the payment gateway.'),
      {checked: enough, disabled: !enough}),
    methodOption('gateway', 'Payment gateway',
      h('p', null, 'You are sent to the payment gateway\'s page to pay, and come back here.'), {checked: !enough}),
  ];
}

// Only a web page may be the gateway's: never a javascript: or data: URL.
function gatewayPage(url) {
  const parsed = new URL(url, location.href);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ApiError(0, 'invalid_redirect', `the gateway's payment page is not a web address: ${url}`);
  }
  return parsed.href;
}

async function pay(checkout, method, action, navigate) {
  const result = await request('POST', `/v1/checkouts/${checkout.id}/pay`, {method}, {action});
  if (result.status === 'awaiting_payment') {
    location.assign(gatewayPage(result.redirect_url));
    return;
  }
  navigate(`/resources/${checkoutTarget(checkout)}`, method === 'hold'
    ? 'Paid by hold: the resources are converted and will be invoiced monthly on their usage.'
    : `Paid: ${plural(result.invoice_ids.length, 'invoice')} issued. The resources are converted.`);
}

export async function renderPayment(view, {args: [id], navigate}) {
  const [checkout, wallets] = await Promise.all([get(`/v1/checkouts/${id}`), get('/v1/wallets')]);
  if (checkout.status !== 'open') return closedCheckout(view, checkout);
  const hold = checkout.settlement === 'hold';
  const action = userAction(); // one payment, however many clicks
  const status = h('div', {'aria-live': 'assertive'});
  const options = methods(checkout, wallets);
  const button = h('button', {type: 'submit', class: 'btn btn-primary', id: 'pay'}, hold ? 'Confirm hold' : 'Pay');
  const form = h('form', {class: 'payment'},
    h('fieldset', null, h('legend', null, 'Payment method'), options), status,
    h('div', {class: 'form-actions'}, h('a', {class: 'btn', href: `#/checkouts/${id}`}, 'Back to the checkout'), button));
  const anyEnabled = form.querySelector('input[name=method]:not([disabled])');
  if (!anyEnabled) button.disabled = true;
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const chosen = form.querySelector('input[name=method]:checked');
    if (!chosen) {
      replace(status, errorPanel({message: 'Choose a payment method.', code: 'missing_method'}, 'Cannot pay'));
      return;
    }
    replace(status);
    try {
      await whileBusy(button, 'Paying…', () => pay(checkout, chosen.value, action, navigate));
    } catch (error) {
      replace(status, errorPanel(error, 'The payment did not go through'));
    }
  });
  add(view, pageTitle('Payment'),
    h('p', {class: 'due'}, hold ? 'Held now: ' : 'Total due: ',
      h('strong', {id: 'amount-due'}, money(hold ? checkout.hold_amount : checkout.total, checkout.currency))),
    hold ? null : totals(checkout), form);
}

// Back from the gateway: the notification may land a moment after the
// browser does, so look a few times before calling it still open.
async function settledCheckout(id, current, attempts = 10) {
  let checkout = await get(`/v1/checkouts/${id}`);
  for (let i = 1; i < attempts && checkout.status === 'open' && current(); i++) {
    await new Promise(resolve => setTimeout(resolve, 500));
    checkout = await get(`/v1/checkouts/${id}`);
  }
  return checkout;
}

function notCompletedText(status, result) {
  if (status !== 'open') return `This checkout is ${status}.`;
  if (result === 'cancelled') return 'The payment was cancelled at the gateway. The checkout is still open.';
  if (result === 'paid') {
    return 'The gateway says it took the payment, but its confirmation has not reached tally yet. ' +
      'Check again in a moment; do not pay a second time.';
  }
  return `The gateway has not confirmed a payment${result ? ` (${result})` : ''}. The checkout is still open.`;
}

export async function renderPaymentResult(view, {args: [id], params, navigate, current}) {
  const result = params.get('result');
  const checkout = result === 'cancelled' ? await get(`/v1/checkouts/${id}`) : await settledCheckout(id, current);
  if (checkout.status === 'paid') {
    navigate(`/resources/${checkoutTarget(checkout)}`, 'Payment received through the gateway. The resources are converted.');
    return;
  }
  // Paid at the gateway but not confirmed yet: offering another way to pay
  // could take the money twice.
  const waiting = checkout.status === 'open' && result === 'paid';
  let next;
  if (waiting) {
    next = h('button', {type: 'button', class: 'btn btn-primary', onclick: () => location.reload()}, 'Check again');
  } else if (checkout.status === 'open') {
    next = h('a', {class: 'btn btn-primary', href: `#/checkouts/${id}/pay`}, 'Choose a payment method again');
  } else {
    next = h('a', {href: `#/resources/${checkoutTarget(checkout)}`}, 'Back to the resource');
  }
  add(view, pageTitle(waiting ? 'Waiting for the gateway' : 'Payment not completed'),
    h('p', {class: 'warning'}, notCompletedText(checkout.status, result)), h('p', null, next));
}
