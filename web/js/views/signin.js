// signin.js: sign-in with an account token. The token is checked against
// tallyd before it is kept, and only in session storage: closing the tab
// or signing out forgets it.
import {get, session} from '../api.js';
import {add, h} from '../dom.js';
import {errorPanel, pageTitle, whileBusy} from '../ui.js';

export async function renderSignIn(view, {navigate}) {
  const input = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', 'aria-describedby': 'token-help'});
  const status = h('div', {'aria-live': 'assertive'});
  const button = h('button', {type: 'submit', class: 'btn btn-primary'}, 'Sign in');
  const form = h('form', {class: 'card narrow', novalidate: true},
    h('label', {for: 'token'}, 'Account token'), input,
    h('p', {id: 'token-help', class: 'help'}, 'The token your cloud provider issued for your account; it starts with ',
      h('code', null, 'tly_'), '.'),
    status, button);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    status.replaceChildren();
    const token = input.value.trim();
    if (!token) {
      status.append(errorPanel({message: 'Enter your account token.', code: 'missing_token'}, 'Cannot sign in'));
      input.focus();
      return;
    }
    try {
      const wallets = await whileBusy(button, 'Signing in…', () => get('/v1/wallets', {token}));
      session.signIn(token);
      sessionStorage.setItem('tally.account', wallets.account_id);
      const next = sessionStorage.getItem('tally.after-sign-in') || '/resources';
      sessionStorage.removeItem('tally.after-sign-in');
      navigate(next);
    } catch (error) {
      const adminToken = error.code === 'missing_parameter';
      status.append(errorPanel(adminToken
        ? {message: 'That is the admin token; the console signs in with an account token (tly_…).', code: error.code}
        : error, 'Cannot sign in'));
      input.focus();
    }
  });
  add(view, pageTitle('Sign in to the tally console'), form);
}
