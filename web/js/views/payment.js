// payment.js: paying a checkout (account credit, the payment gateway, or a
// hold for hold-settled services) and the page the gateway returns to.
import {get, request, newIdempotencyKey} from '../api.js';
import {add, h, replace} from '../dom.js';
import {money, plural} from '../format.js';
import {errorPanel, flash, pageTitle, whileBusy} from '../ui.js';
import {checkoutTarget, closedCheckout, totals} from './checkout.js';

function methodOption(value, label, detail, {checked, disabled}) {
  const id = `method-${value}`;
  return h('div', {class: `method${disabled ? ' method-disabled' : ''}`},
    h('input', {type: 'radio', name: 'method', id, value, checked, disabled, 'aria-describedby': `${id}-detail`}),
    h('label', {for: id}, label),
    h('div', {id: `${id}-detail`, class: 'method-detail'}, detail));
}

// What paying by credit leaves, or how much is missing.
function creditDetail(available, due, currency) {
  const after = available - due;
  return [
    h('p', null, 'Available credit: ', h('strong', {id: 'credit-available'}, money(available, currency))),
    after >= 0
      ? h('p', null, 'After this payment: ', h('strong', {id: 'credit-after'}, money(after, currency)))
      : h('p', {class: 'warning', id: 'credit-short'},
        `Your available credit is ${money(-after, currency)} short. Top up your credit, or pay through the payment gateway.`),
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
      ...creditDetail(available, checkout.hold_amount, currency)], {checked: enough, disabled: !enough})];
  }
  const enough = available >= checkout.total;
  return [
    methodOption('credit', 'Account credit', creditDetail(available, checkout.total, currency),
      {checked: enough, disabled: !enough}),
    methodOption('gateway', 'Payment gateway',
      h('p', null, 'You are sent to the payment gateway\'s page to pay, and come back here.'), {checked: !enough}),
  ];
}

async function pay(checkout, method, key, navigate) {
  const result = await request('POST', `/v1/checkouts/${checkout.id}/pay`, {method}, {idempotencyKey: key});
  if (result.status === 'awaiting_payment') {
    location.assign(result.redirect_url);
    return;
  }
  flash(method === 'hold'
    ? 'Paid by hold: the resources are converted and will be invoiced monthly on their usage.'
    : `Paid: ${plural(result.invoice_ids.length, 'invoice')} issued. The resources are converted.`);
  navigate(`/resources/${checkoutTarget(checkout)}`);
}

export async function renderPayment(view, {args: [id], navigate}) {
  const [checkout, wallets] = await Promise.all([get(`/v1/checkouts/${id}`), get('/v1/wallets')]);
  if (checkout.status !== 'open') return closedCheckout(view, checkout);
  const hold = checkout.settlement === 'hold';
  const key = newIdempotencyKey(); // one payment per page, however many clicks
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
      await whileBusy(button, 'Paying…', () => pay(checkout, chosen.value, key, navigate));
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
async function settledCheckout(id, attempts = 10) {
  let checkout = await get(`/v1/checkouts/${id}`);
  for (let i = 1; i < attempts && checkout.status === 'open'; i++) {
    await new Promise(resolve => setTimeout(resolve, 500));
    checkout = await get(`/v1/checkouts/${id}`);
  }
  return checkout;
}

function notCompletedText(status, result) {
  if (status !== 'open') return `This checkout is ${status}.`;
  if (result === 'paid') {
    return 'The gateway has not confirmed the payment yet. Check again in a moment; you will not be charged twice.';
  }
  if (result === 'cancelled') return 'The payment was cancelled at the gateway. The checkout is still open.';
  return `The gateway did not complete the payment${result ? ` (${result})` : ''}. The checkout is still open.`;
}

export async function renderPaymentResult(view, {args: [id], params, navigate}) {
  const result = params.get('result');
  const checkout = result === 'paid' ? await settledCheckout(id) : await get(`/v1/checkouts/${id}`);
  if (checkout.status === 'paid') {
    flash('Payment received through the gateway. The resources are converted.');
    navigate(`/resources/${checkoutTarget(checkout)}`);
    return;
  }
  add(view, pageTitle('Payment not completed'),
    h('p', {class: 'warning'}, notCompletedText(checkout.status, result)),
    checkout.status === 'open'
      ? h('p', null, h('a', {class: 'btn btn-primary', href: `#/checkouts/${id}/pay`}, 'Choose a payment method again'))
      : h('p', null, h('a', {href: `#/resources/${checkoutTarget(checkout)}`}, 'Back to the resource')));
}
