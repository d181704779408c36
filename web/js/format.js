// format.js: money, times and labels as the console shows them. Money comes
// from the API as integer minor units and is never turned into a float: the
// integer is split into major and minor digits as text, and Intl formats
// that decimal string exactly.

import {lang, locale, plural as pluralIn} from './i18n.js';

const formatters = new Map();

// Vietnamese: "1.947.000 ₫"; English: "₫1,947,000".
function formatter(currency) {
  const key = `${lang()} ${currency}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.NumberFormat(lang() === 'vi' ? 'vi-VN' : 'en-US', {style: 'currency', currency}));
  }
  return formatters.get(key);
}

export function minorDigits(currency) {
  return formatter(currency).resolvedOptions().maximumFractionDigits;
}

// 1250000, "VND" -> "₫1,250,000"; 12345, "USD" -> "$123.45".
export function money(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  const digits = minorDigits(currency);
  const negative = amount < 0;
  let text = String(Math.abs(amount)).padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return formatter(currency).format(`${negative ? '-' : ''}${text}`);
}

// A short amount for chart axes: 18924840 VND -> "18.9M".
export function compactMoney(amount, currency) {
  const major = amount / 10 ** minorDigits(currency); // display only, never summed
  return new Intl.NumberFormat(lang() === 'vi' ? 'vi-VN' : 'en-US', {notation: 'compact', maximumFractionDigits: 1}).format(major);
}

// Times and dates in the customer's own time zone (the browser's), with
// the zone named, so "18:06" is never taken for another zone's.
const dateTime = () => new Intl.DateTimeFormat(locale(), {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});
const dateOnly = () => new Intl.DateTimeFormat(locale(), {year: 'numeric', month: 'short', day: 'numeric'});
const calendarDay = new Intl.DateTimeFormat('en-CA', {year: 'numeric', month: '2-digit', day: '2-digit'});

// RFC 3339 -> "23 Nov 2026, 18:06 GMT+7"; null -> "—".
export function when(rfc3339) {
  return rfc3339 ? dateTime().format(new Date(rfc3339)) : '—';
}

export function day(rfc3339) {
  return rfc3339 ? dateOnly().format(new Date(rfc3339)) : '—';
}

// Whole days from `from` until `to` (both RFC 3339), rounded down, never below 0.
export function daysBetween(from, to) {
  const ms = new Date(to) - new Date(from);
  return Math.max(0, Math.floor(ms / 86400000));
}

// Days left until the date `to` falls on, counted in calendar days of the
// customer's time zone, never below 0: the same for every place that shows
// one date, and 365 (not 364) a few minutes after buying 12 months from
// 6 Dec 2026 to 6 Dec 2027.
export function daysLeft(now, to) {
  const ordinal = t => {
    const [y, m, d] = calendarDay.format(new Date(t)).split('-').map(Number);
    return Date.UTC(y, m - 1, d) / 86400000;
  };
  return Math.max(0, ordinal(to) - ordinal(now));
}

export function plural(n, word) {
  return pluralIn(n, word);
}

export function percentFromBp(bp) {
  return new Intl.NumberFormat(locale(), {maximumFractionDigits: 2}).format(bp / 100) + '%';
}

const ROLE_LABELS = {
  node: 'Node', boot_volume: 'Boot volume', pvc: 'PVC', load_balancer: 'Load balancer', snapshot: 'Snapshot',
};

export function roleLabel(role) {
  return ROLE_LABELS[role] || (role ? role.replace(/_/g, ' ') : '');
}

export function typeLabel(type) {
  return {server: 'Server', volume: 'Volume', cluster: 'Cluster', load_balancer: 'Load balancer',
    snapshot: 'Snapshot'}[type] || type;
}

export function billingModeLabel(mode) {
  return {poc: 'POC', prepaid: 'Prepaid', postpaid: 'Postpaid'}[mode] || mode || '—';
}

export function serviceLabel(service) {
  return {vks: 'VKS', vcontainer: 'vContainer', vserver: 'vServer', vlb: 'Load balancer', snapshot: 'Snapshot'}[service] || service || '—';
}

export function kindLabel(kind) {
  return (kind || '').replace(/_/g, ' ');
}
