// checkout.js: the checkout page of Stop POC (and of any purchase): price
// lines, term, auto-renew, coupon, and the totals exactly as tallyd priced
// them. Every change is a PATCH; the page shows the checkout tallyd
// returns, never a price computed here.
import {get, request} from '../api.js';
import {add, facts, h, replace, table} from '../dom.js';
import {money, percentFromBp, plural, when} from '../format.js';
import {errorPanel, pageTitle} from '../ui.js';
import {lang, t} from '../i18n.js';

export function checkoutTarget(checkout) {
  return checkout.origin_resource_id || checkout.resources[0];
}

// The page for a checkout that can no longer be changed or paid.
export function closedCheckout(view, checkout) {
  const target = checkoutTarget(checkout);
  add(view, pageTitle('Checkout'),
    h('p', {class: checkout.status === 'paid' ? 'notice' : 'warning'},
      `This checkout is ${checkout.status}.`),
    h('p', null, h('a', {href: `#/resources/${target}`}, 'Back to the resource')));
}

function quantity(line) {
  return line.unit === 'gb_month' ? `${line.quantity} GB` : String(line.quantity);
}

function priceLines(checkout) {
  const c = checkout.currency;
  return table([
    {label: 'Resource', cell: l => l.resource_name},
    {label: 'Item', cell: l => l.item_name},
    {label: 'Qty', class: 'num', cell: quantity},
    {label: 'Unit price / month', class: 'num', cell: l => money(l.unit_price, c)},
    {label: 'Term', class: 'num', cell: l => plural(l.cycle_months, 'month')},
    {label: 'Price', class: 'num', cell: l => money(l.gross, c)},
    {label: 'Discounts', class: 'num', cell: l => money(-(l.cycle_discount + l.coupon_discount), c)},
    {label: 'Tax', class: 'num', cell: l => money(l.tax, c)},
    {label: 'Total', class: 'num', cell: l => money(l.total, c)},
  ], checkout.lines, 'Price lines');
}

export function totals(checkout) {
  const c = checkout.currency;
  const rows = [
    ['Price', checkout.gross],
    ['Term discount', -checkout.cycle_discount],
    ['Subtotal', checkout.subtotal],
    [checkout.coupon ? t('Coupon discount ({code})', {code: checkout.coupon}) : 'Coupon discount', -checkout.discount],
    [checkout.terms ? t('Tax ({rate})', {rate: percentFromBp(checkout.terms.tax_rate_bp)}) : 'Tax', checkout.tax],
  ];
  return h('dl', {class: 'totals', 'aria-label': 'Totals'},
    rows.map(([label, amount]) => [h('dt', null, label), h('dd', null, money(amount, c))]),
    h('dt', {class: 'total'}, 'Total'), h('dd', {class: 'total', id: 'checkout-total'}, money(checkout.total, c)));
}

// A usage-billed (hold) checkout: what is paid now is the hold; the
// priced month is an estimate, invoiced later on actual use, so it is shown
// small and named as such.
function holdTotals(checkout) {
  const c = checkout.currency;
  return h('dl', {class: 'totals', 'aria-label': 'Totals'},
    h('dt', null, 'Estimated cost of a month of use, with tax'), h('dd', {id: 'estimated-month'}, money(checkout.total, c)),
    h('dt', {class: 'total'}, t('Hold now ({days})', {days: `${plural(checkout.terms.hold_days, 'day')}${lang() === 'vi' ? ' sử dụng' : ' of use'}`})),
    h('dd', {class: 'total', id: 'checkout-total'}, money(checkout.hold_amount, c)));
}

function termSelect(checkout, change) {
  const select = h('select', {id: 'term', name: 'cycle_months'}, checkout.terms.cycles.map(cycle =>
    h('option', {value: cycle.months, selected: cycle.months === checkout.cycle_months},
      `${plural(cycle.months, 'month')}${cycle.discount_bp ? ` (−${percentFromBp(cycle.discount_bp)})` : ''}`)));
  select.addEventListener('change', () => change({cycle_months: Number(select.value)}));
  return h('div', {class: 'field'}, h('label', {for: 'term'}, 'Term'), select);
}

function autoRenewToggle(checkout, change) {
  const box = h('input', {id: 'auto-renew', type: 'checkbox', role: 'switch', checked: checkout.auto_renew});
  box.addEventListener('change', () => change({auto_renew: box.checked}));
  return h('div', {class: 'field field-inline'}, box,
    h('label', {for: 'auto-renew'}, 'Auto-renew: charge the next term from credit 7 days before this one ends'));
}

// The coupon that counts is always in view: a refused code is named in the
// error, the field goes back to the applied coupon (or empty), the applied
// one stays shown, and Remove says which code it removes.
function couponField(checkout, change) {
  const input = h('input', {id: 'coupon', name: 'coupon', value: checkout.coupon || '', autocomplete: 'off',
    'aria-describedby': 'coupon-status'});
  const applied = () => (checkout.coupon
    ? h('p', {class: 'ok', id: 'coupon-applied'}, t('Coupon {code} applied: −{amount}', {code: checkout.coupon, amount: money(checkout.discount, checkout.currency)}))
    : null);
  const status = h('div', {id: 'coupon-status', 'aria-live': 'polite'}, applied());
  const apply = h('button', {type: 'submit', class: 'btn'}, 'Apply');
  const form = h('form', {class: 'coupon-form'},
    h('div', {class: 'field'}, h('label', {for: 'coupon'}, 'Coupon'), h('div', {class: 'inline'}, input, apply,
      checkout.coupon ? h('button', {type: 'button', class: 'btn', id: 'coupon-remove',
        onclick: () => change({coupon: null})}, t('Remove {code}', {code: checkout.coupon})) : null)),
    status);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code || code === checkout.coupon) return;
    const error = await change({coupon: code}, true);
    if (error) {
      input.value = checkout.coupon || '';
      replace(status, errorPanel(error, t('Coupon {code} does not apply', {code})), applied());
      input.focus();
    }
  });
  return form;
}

export async function renderCheckout(view, {args: [id], navigate}) {
  let checkout = await get(`/v1/checkouts/${id}`);
  if (checkout.status !== 'open') return closedCheckout(view, checkout);
  const hold = checkout.settlement === 'hold';
  const body = h('div');
  const status = h('div', {'aria-live': 'assertive'});

  // Sends one change; redraws with tallyd's answer. A coupon error is
  // returned to the coupon field instead of shown at the top.
  const setDisabled = disabled => body.querySelectorAll('input, select, button').forEach(el => {
    el.disabled = disabled;
  });
  // The redrawn page gets the focus back where it was, so a keyboard user
  // can go on through the terms.
  const redraw = focused => {
    draw();
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  };
  const change = async (fields, couponError = false) => {
    const focused = document.activeElement && document.activeElement.id; // before disabling drops it
    setDisabled(true);
    replace(status);
    try {
      checkout = await request('PATCH', `/v1/checkouts/${id}`, fields);
      redraw(focused);
      return null;
    } catch (error) {
      setDisabled(false); // the page still shows the checkout as it is
      if (couponError) return error;
      redraw(focused); // put the term and the toggle back to what tallyd has
      replace(status, errorPanel(error, 'The checkout was not changed'));
      return null;
    }
  };

  const draw = () => {
    const choices = hold
      ? h('p', {class: 'notice'}, 'Kubernetes (vContainer) services are invoiced monthly on actual usage. ',
        `Paying places a hold of ${money(checkout.hold_amount, checkout.currency)} on your credit: `,
        `the estimated cost of ${plural(checkout.terms.hold_days, 'day')} of use. No invoice is issued now.`)
      : h('div', {class: 'choices'}, termSelect(checkout, change), autoRenewToggle(checkout, change),
        couponField(checkout, change));
    const cont = h('button', {type: 'button', class: 'btn btn-primary', id: 'continue'}, 'Continue');
    cont.addEventListener('click', () => navigate(`/checkouts/${id}/pay`));
    const cancel = h('button', {type: 'button', class: 'btn'}, 'Cancel checkout');
    cancel.addEventListener('click', async () => {
      try {
        await request('POST', `/v1/checkouts/${id}/cancel`);
        navigate(`/resources/${checkoutTarget(checkout)}`,
          'The checkout was cancelled; the resources stay as they were.', 'warning');
      } catch (error) {
        replace(status, errorPanel(error, 'The checkout was not cancelled'));
      }
    });
    replace(body, priceLines(checkout), h('div', {class: 'checkout-grid'}, choices, hold ? holdTotals(checkout) : totals(checkout)),
      h('p', {class: 'help'}, t('Prices are held until {time}.', {time: when(checkout.expires_at)})),
      h('div', {class: 'form-actions'}, cancel, cont));
  };
  draw();
  add(view, pageTitle(checkout.kind === 'conversion' ? 'Checkout: Stop POC' : 'Checkout'),
    facts([['Checkout', h('code', null, checkout.id)], ['Resources', String(checkout.resources.length)]]),
    status, body);
}
