// topup.js: topping up the account's credit through the payment gateway
// (POST /v1/wallets/top-ups), offered where credit is short. The gateway
// takes VND only; elsewhere nothing is offered.
import {ApiError, request, userAction} from '../api.js';
import {h, replace} from '../dom.js';
import {money} from '../format.js';
import {errorPanel, whileBusy} from '../ui.js';

const MAX = 500000000; // tallyd's TL_GATEWAY_TOP_UP_MAX

// Only a web page may be the gateway's: never a javascript: or data: URL.
function gatewayPage(url) {
  const parsed = new URL(url, location.href);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ApiError(0, 'invalid_redirect', `the gateway's payment page is not a web address: ${url}`);
  }
  return parsed.href;
}

// A block (no <form>: it may sit inside one) with an amount, prefilled
// with what is short, and a button that sends the browser to the gateway.
export function topUpOffer(short, currency) {
  if (currency !== 'VND') return null;
  const amount = Math.min(Math.max(Math.ceil(short), 1), MAX);
  const input = h('input', {type: 'number', id: 'top-up-amount', min: 1, max: MAX, step: 1,
    value: String(amount), inputmode: 'numeric', 'aria-describedby': 'top-up-help'});
  const status = h('div', {'aria-live': 'assertive'});
  const action = userAction(); // one top-up, however many clicks
  const button = h('button', {type: 'button', class: 'btn', id: 'top-up'}, 'Top up through the gateway');
  button.addEventListener('click', async () => {
    replace(status);
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < 1 || value > MAX) {
      replace(status, errorPanel({message: `Enter a whole amount from 1 to ${money(MAX, currency)}.`, code: 'invalid_amount'}, 'Cannot top up'));
      return;
    }
    try {
      await whileBusy(button, 'Starting…', async () => {
        const result = await request('POST', '/v1/wallets/top-ups', {amount: value}, {action});
        location.assign(gatewayPage(result.redirect_url));
      });
    } catch (error) {
      replace(status, errorPanel(error, 'The top-up did not start'));
    }
  });
  return h('div', {class: 'top-up'},
    h('label', {for: 'top-up-amount'}, `Top up credit (${currency})`), input, button,
    h('p', {id: 'top-up-help', class: 'help'},
      `Short by ${money(short, currency)}. You pay on the gateway's page and come back here; the credit arrives when the gateway confirms.`),
    status);
}
