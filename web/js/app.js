// app.js: the console's shell: sign-in state, hash routes, and the rule that
// a view which fails shows its error instead of a blank page.
import {onUnauthorized, session} from './api.js';
import {lang, setLang, tr} from './i18n.js';
import {h, replace} from './dom.js';
import {closeDialog, errorPanel, flash, showPendingBanner} from './ui.js';
import {renderSignIn} from './views/signin.js';
import {renderResources} from './views/resources.js';
import {renderResource} from './views/resource.js';
import {renderCheckout} from './views/checkout.js';
import {renderPayment, renderPaymentResult} from './views/payment.js';
import {renderInvoices, renderInvoice} from './views/invoices.js';
import {renderWallets} from './views/wallets.js';
import {renderPayments} from './views/payments.js';

const routes = [
  {pattern: /^\/sign-in$/, view: renderSignIn, section: null, public: true},
  {pattern: /^\/resources$/, view: renderResources, section: 'resources'},
  {pattern: /^\/resources\/([\w-]+)$/, view: renderResource, section: 'resources'},
  {pattern: /^\/checkouts\/([\w-]+)$/, view: renderCheckout, section: 'resources'},
  {pattern: /^\/checkouts\/([\w-]+)\/pay$/, view: renderPayment, section: 'resources'},
  {pattern: /^\/checkouts\/([\w-]+)\/result$/, view: renderPaymentResult, section: 'resources'},
  {pattern: /^\/invoices$/, view: renderInvoices, section: 'invoices'},
  {pattern: /^\/invoices\/([\w-]+)$/, view: renderInvoice, section: 'invoices'},
  {pattern: /^\/wallets$/, view: renderWallets, section: 'wallets'},
  {pattern: /^\/payments$/, view: renderPayments, section: 'payments'},
];

// "#/resources?q=x" -> {path: "/resources", params: URLSearchParams}
function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/resources';
  const [path, search] = hash.split('?');
  return {path, params: new URLSearchParams(search || '')};
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

let renderCount = 0;

async function render() {
  const main = document.getElementById('main');
  const {path, params} = currentRoute();
  const route = routes.find(r => r.pattern.test(path));
  const signedIn = Boolean(session.token());
  document.getElementById('nav').hidden = !signedIn;
  if (!route) {
    replace(main, h('h1', {tabindex: '-1'}, 'Page not found'),
      h('p', null, 'There is no page at ', h('code', null, path), '. ', h('a', {href: '#/resources'}, 'Go to your resources.')));
    return;
  }
  if (!route.public && !signedIn) {
    sessionStorage.setItem('tally.after-sign-in', `${path}${params.toString() ? `?${params}` : ''}`);
    navigate('/sign-in');
    return;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.section === route.section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const mine = ++renderCount;
  const hash = location.hash;
  // What a view does once the user has moved on (a payment answered late,
  // a gateway confirmation polled for) must not pull them back.
  const current = () => mine === renderCount && location.hash === hash;
  const go = (to, message, kind) => {
    if (!current()) return;
    if (message) flash(message, kind);
    navigate(to);
  };
  closeDialog();
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.rendered;
  replace(main, h('p', {class: 'loading'}, 'Loading…'));
  showPendingBanner();
  const view = h('div', {class: 'view'});
  try {
    await route.view(view, {args: path.match(route.pattern).slice(1), params, navigate: go, current});
  } catch (error) {
    replace(view, errorPanel(error, 'This page could not be loaded'),
      h('p', null, h('button', {type: 'button', class: 'btn', onclick: render}, 'Try again')));
  }
  if (!current()) return; // a newer navigation won, or the view moved on
  replace(main, view);
  main.removeAttribute('aria-busy');
  main.dataset.rendered = location.hash; // which page is on screen, for tests
  const heading = main.querySelector('h1');
  if (heading) heading.focus();
}

// A gateway sends the browser back to /?checkout_id=...&result=...: show
// that checkout's outcome inside the console.
function takeGatewayReturn() {
  const search = new URLSearchParams(location.search);
  const checkout = search.get('checkout_id');
  if (!checkout || !/^chk_\w+$/.test(checkout)) return;
  const result = search.get('result') || '';
  history.replaceState(null, '', `${location.pathname}#/checkouts/${checkout}/result?result=${encodeURIComponent(result)}`);
}

function signOut(message) {
  session.signOut();
  sessionStorage.removeItem('tally.after-sign-in');
  sessionStorage.removeItem('tally.account');
  if (message) flash(message, 'warning');
  navigate('/sign-in');
}

document.getElementById('sign-out').addEventListener('click', () => signOut('You are signed out.'));
// The skip link must not become a route: move the focus instead.
document.querySelector('.skip-link').addEventListener('click', event => {
  event.preventDefault();
  document.getElementById('main').focus();
});
onUnauthorized(() => signOut('Your token is no longer accepted; sign in again.'));
window.addEventListener('hashchange', render);
// Whatever escapes a view still reaches the user.
window.addEventListener('unhandledrejection', event => {
  replace(document.getElementById('banner'), errorPanel(event.reason || new Error('unknown error')));
});
// The page's own words (the nav, the skip link) in the chosen language;
// the English text is kept in data-en.
function applyLanguage() {
  document.documentElement.lang = lang();
  document.getElementById('lang').value = lang();
  for (const el of document.querySelectorAll('#nav a, #sign-out, .skip-link, [data-en]')) {
    if (!el.dataset.en) el.dataset.en = el.textContent;
    el.textContent = tr(el.dataset.en);
  }
}

document.getElementById('lang').addEventListener('change', event => {
  setLang(event.target.value);
  applyLanguage();
  render();
});
applyLanguage();
takeGatewayReturn();
render();
