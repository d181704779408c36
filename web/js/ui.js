// ui.js: pieces every view shares: the error panel, the banner, billing
// badges, busy buttons and the modal dialog.
import {h, replace} from './dom.js';
import {day, daysLeft} from './format.js';
import {t, tr} from './i18n.js';

// An API or network error as the user sees it: the message, and the
// stable code for support.
export function errorPanel(error, title = 'Something went wrong') {
  return h('div', {class: 'error', role: 'alert'},
    h('strong', null, title),
    h('p', {class: 'error-message'}, error.message || String(error)),
    error.code ? h('p', {class: 'error-code'}, 'Code: ', h('code', null, error.code)) : null);
}

// A message over the page that survives the next navigation once.
let pendingBanner = null;
export function flash(message, kind = 'success') {
  pendingBanner = {message, kind};
}

export function showBanner(message, kind = 'success') {
  const banner = document.getElementById('banner');
  replace(banner, h('div', {class: `banner banner-${kind}`}, message,
    h('button', {type: 'button', class: 'link-button', 'aria-label': 'Dismiss', onclick: () => replace(banner)}, '×')));
}

export function showPendingBanner() {
  const banner = document.getElementById('banner');
  replace(banner);
  if (pendingBanner) showBanner(pendingBanner.message, pendingBanner.kind);
  pendingBanner = null;
}

// POC, prepaid (with its term end) or postpaid, plus the status when it is
// not simply active.
export function billingBadges(resource, now) {
  const b = resource.billing || {};
  const badges = [];
  if (b.mode === 'poc') badges.push(h('span', {class: 'badge badge-poc'}, 'POC'));
  else if (b.mode === 'prepaid' && !b.term_end) {
    // A cluster stopped after its members were converted one by one has no
    // term of its own: each member has its own.
    badges.push(h('span', {class: 'badge badge-prepaid', title: 'Each member is paid for its own term'},
      'Prepaid · per member'));
  } else if (b.mode === 'prepaid') {
    const left = now ? ` · ${t('{days} d left', {days: daysLeft(now, b.term_end)})}` : '';
    badges.push(h('span', {class: 'badge badge-prepaid', title: t('Term ends {date}', {date: day(b.term_end)})},
      `${t('Prepaid · until {date}', {date: day(b.term_end)})}${left}`));
    if (b.auto_renew) badges.push(h('span', {class: 'badge badge-muted'}, 'Auto-renew'));
  } else if (b.mode) badges.push(h('span', {class: `badge badge-${b.mode}`}, b.mode === 'postpaid' ? 'Postpaid' : b.mode));
  if (resource.status && resource.status !== 'active') {
    badges.push(h('span', {class: `badge badge-status-${resource.status}`}, tr(resource.status)));
  }
  return h('span', {class: 'badges'}, badges);
}

// A resource's status, always shown (the billing badges show it only when
// it is not active).
export function statusBadge(status) {
  return h('span', {class: `badge badge-status-${status}`}, tr(status) || '—');
}

// Runs action() with the button disabled and saying so; gives the result.
export async function whileBusy(button, busyText, action) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = busyText;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

// A modal dialog. content: nodes; actions: [{label, class, busy, onclick}]
// where onclick may return a promise; the dialog closes when it resolves
// to something other than false. While an action runs every button is
// disabled and Esc does nothing: what was asked for is under way. Focus
// goes to the primary action and back to the opener on close. Returns a
// promise of the dialog closing.
let openDialogs = 0; // which dialog is on screen, so an old one's close leaves a newer alone

export function openDialog({title, content, actions, opener}) {
  const dialog = document.getElementById('dialog');
  const mine = ++openDialogs;
  const returnFocus = opener || document.activeElement;
  const status = h('div', {class: 'dialog-status', 'aria-live': 'assertive'});
  const buttons = actions.map(a => h('button', {type: 'button', class: a.class || 'btn'}, a.label));
  let busy = false;
  return new Promise(resolve => {
    const close = value => {
      if (mine === openDialogs) {
        dialog.close();
        replace(dialog);
        if (returnFocus && returnFocus.isConnected) returnFocus.focus();
      }
      resolve(value);
    };
    actions.forEach((a, i) => buttons[i].addEventListener('click', async () => {
      if (busy) return;
      busy = true;
      replace(status);
      buttons.forEach(b => { b.disabled = true; });
      try {
        const result = a.onclick ? await whileBusy(buttons[i], a.busy || a.label, a.onclick) : undefined;
        if (result !== false) close(result);
      } catch (error) {
        replace(status, errorPanel(error));
      } finally {
        busy = false;
        buttons.forEach(b => { b.disabled = false; });
      }
    }));
    dialog.oncancel = event => {
      event.preventDefault();
      if (!busy) close(undefined);
    };
    dialog.onkeydown = event => keepFocusInside(dialog, event);
    replace(dialog, h('h2', {id: 'dialog-title'}, title), h('div', {class: 'dialog-body'}, content), status,
      h('div', {class: 'dialog-actions'}, buttons));
    if (!dialog.open) dialog.showModal();
    (buttons.find(b => b.classList.contains('btn-primary')) || buttons[0]).focus();
  });
}

// Tab from the last control goes to the first and Shift+Tab back: a modal
// dialog otherwise lets the focus leave for the browser's own controls.
function keepFocusInside(dialog, event) {
  if (event.key !== 'Tab') return;
  const focusable = [...dialog.querySelectorAll('button, a[href], input, select, textarea, summary')]
    .filter(el => !el.disabled && el.offsetParent !== null);
  if (focusable.length === 0) return;
  const first = focusable[0], last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

// Leaving a page closes its dialog.
export function closeDialog() {
  const dialog = document.getElementById('dialog');
  openDialogs++;
  if (dialog.open) dialog.close();
  replace(dialog);
}

// A button that runs action() once at a time, shows busyText meanwhile,
// and puts any error into statusEl instead of losing it.
export function actionButton(label, attrs, busyText, statusEl, action) {
  const button = h('button', {type: 'button', class: 'btn', ...attrs}, label);
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    replace(statusEl);
    try {
      await whileBusy(button, busyText, () => action(button));
    } catch (error) {
      replace(statusEl, errorPanel(error));
    }
  });
  return button;
}

// The page heading, focused after navigation so screen readers announce it.
export function pageTitle(text, ...extra) {
  document.title = `${tr(text)} · tally console`;
  return h('div', {class: 'page-head'}, h('h1', {tabindex: '-1'}, text), ...extra);
}
