// The Stop POC flows of the console, end to end in headless Chromium
// against a real tallyd: VKS with a coupon and credit, vContainer with a
// hold, the payment gateway, the cluster "Stop" case, an invalid coupon and
// a credit balance that is too small.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {assertClean, newCustomer, pocCluster, screenshot, signedInPage, tallydAndBrowser, vnd} from './support.mjs';

const env = tallydAndBrowser();

async function openResource(page, name) {
  await page.click(`a:text-is("${name}")`);
  await page.waitForSelector(`h1:text-is("${name}")`);
}

// Opens the Stop POC dialog of the resource on screen and confirms it.
async function confirmStopPoc(page) {
  await page.click('#stop-poc');
  await page.waitForSelector('dialog[open] .btn-primary');
  await page.click('dialog[open] .btn-primary');
}

// A new customer with a new POC cluster, signed in, past the Stop POC
// confirmation and on the checkout page.
async function atCheckout(customerOptions, clusterOptions) {
  const customer = await newCustomer(env.server, customerOptions);
  const cluster = await pocCluster(env.server, customer, clusterOptions);
  const page = await signedInPage(env.browser, env.server, customer);
  await openResource(page, cluster.name);
  await confirmStopPoc(page);
  await page.waitForSelector('#continue');
  const checkoutId = page.url().match(/checkouts\/(chk_\w+)/)[1];
  return {customer, cluster, page, checkoutId};
}

describe('VKS Stop POC with a coupon, paid from credit', () => {
  it('lists every server and volume, prices with the coupon, pays, converts', async () => {
    const customer = await newCustomer(env.server, {name: 'VKS customer'});
    const cluster = await pocCluster(env.server, customer, {name: 'shop-vks', nodes: 3});
    await env.server.admin('POST', '/v1/coupons', {code: 'VKS10', percent_off: 10});
    const page = await signedInPage(env.browser, env.server, customer);
    await screenshot(page, 'resources', {fullPage: true});
    await openResource(page, 'shop-vks');
    await screenshot(page, 'cluster', {fullPage: true});

    await page.click('#stop-poc');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('table').waitFor();
    await screenshot(page, 'stop-poc-dialog');
    const names = await dialog.locator('tbody tr td:first-child').allTextContents();
    const expected = cluster.members.filter(m => m.type === 'server' || m.type === 'volume').map(m => m.name);
    assert.deepEqual([...names].sort(), [...expected].sort());
    assert.equal(names.length, 7, 'three nodes, three boot volumes and the PVC');
    assert.ok(!names.includes('shop-vks-lb'), 'the load balancer is not paid by POC');
    const roles = await dialog.locator('tbody tr td:nth-child(3)').allTextContents();
    assert.equal(roles.filter(r => r === 'Boot volume').length, 3);
    assert.equal(roles.filter(r => r === 'PVC').length, 1);
    // the dialog has the focus, on its confirming button
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Stop POC');
    await dialog.locator('.btn-primary').click();

    await page.waitForSelector('#continue');
    const checkoutId = page.url().match(/checkouts\/(chk_\w+)/)[1];
    await page.selectOption('#term', '12');
    await page.waitForSelector('#term:not([disabled])');
    await page.check('#auto-renew');
    await page.waitForSelector('#auto-renew:checked:not([disabled])');
    await page.fill('#coupon', 'VKS10');
    await page.click('.coupon-form button[type=submit]');
    await page.waitForSelector('text=Coupon VKS10 applied');
    const checkout = await customer.api('GET', `/v1/checkouts/${checkoutId}`);
    assert.equal(checkout.cycle_months, 12);
    assert.equal(checkout.auto_renew, true);
    assert.equal(checkout.coupon, 'VKS10');
    assert.ok(checkout.discount > 0);
    assert.equal(await page.textContent('#checkout-total'), vnd(checkout.total));
    for (const amount of [checkout.subtotal, -checkout.discount, checkout.tax]) {
      assert.ok((await page.textContent('.totals')).includes(vnd(amount)), `totals show ${vnd(amount)}`);
    }
    await screenshot(page, 'checkout', {fullPage: true});

    await page.click('#continue');
    await page.waitForSelector('#pay');
    const before = await customer.api('GET', '/v1/wallets');
    assert.equal(await page.textContent('#credit-available'), vnd(before.credit.available));
    assert.equal(await page.textContent('#credit-after'), vnd(before.credit.available - checkout.total));
    assert.ok(await page.isChecked('#method-credit'));
    await screenshot(page, 'payment', {fullPage: true});
    await page.click('#pay');

    await page.waitForSelector('.banner-success:has-text("7 invoices issued")');
    assert.ok(page.url().endsWith(`#/resources/${cluster.id}`), 'back on the cluster');
    assert.equal(await page.locator('#stop-poc').count(), 0, 'nothing left to convert');
    const after = await customer.api('GET', `/v1/resources/${cluster.id}`);
    for (const m of after.members.filter(m => m.type !== 'load_balancer')) {
      assert.equal(m.billing.mode, 'prepaid', m.name);
      assert.equal(m.billing.cycle_months, 12);
      assert.equal(m.billing.auto_renew, true);
    }
    const wallets = await customer.api('GET', '/v1/wallets');
    assert.equal(wallets.credit.balance, before.credit.balance - checkout.total, 'charged exactly the total');
    const badges = await page.locator('.member-group:has(h3:text("Nodes")) .badge-prepaid').count();
    assert.equal(badges, 3);
    await assertClean(page);
    await page.context().close();
  });
});

describe('vContainer Stop POC paid by a hold', () => {
  it('holds 3 days of use, issues no invoice, converts to monthly usage billing', async () => {
    const {customer, cluster, page, checkoutId} = await atCheckout({name: 'vContainer customer'},
      {name: 'jobs-vc', service: 'vcontainer', nodes: 2});
    const checkout = await customer.api('GET', `/v1/checkouts/${checkoutId}`);
    assert.equal(checkout.settlement, 'hold');
    const notice = await page.textContent('.notice');
    assert.ok(notice.includes(vnd(checkout.hold_amount)), notice);
    assert.equal(await page.locator('#term').count(), 0, 'no term to choose for usage billing');
    await page.click('#continue');
    await page.waitForSelector('#pay');
    assert.equal(await page.textContent('#amount-due'), vnd(checkout.hold_amount));
    assert.ok(await page.isChecked('#method-hold'));
    await page.click('#pay');
    await page.waitForSelector('.banner-success:has-text("Paid by hold")');

    const holds = await customer.api('GET', '/v1/holds');
    assert.equal(holds.data.length, 1);
    assert.equal(holds.data[0].amount, checkout.hold_amount);
    assert.equal(holds.data[0].status, 'pending');
    const invoices = await customer.api('GET', '/v1/invoices');
    assert.equal(invoices.data.length, 0, 'vContainer is invoiced at the monthly reconciliation');
    const after = await customer.api('GET', `/v1/resources/${cluster.id}`);
    assert.ok(after.members.every(m => m.billing.mode === 'postpaid'));
    await assertClean(page);
    await page.context().close();
  });
});

describe('Stop POC paid through the payment gateway', () => {
  it('goes to the sandbox page, pays, and comes back to the converted cluster', async () => {
    const {customer, cluster, page} = await atCheckout({name: 'Gateway customer', credit: 0}, {name: 'gw-vks', nodes: 1});
    await page.click('#continue');
    await page.waitForSelector('#pay');
    assert.ok(await page.isDisabled('#method-credit'), 'no credit: credit cannot be chosen');
    assert.ok(await page.isChecked('#method-gateway'));
    await page.click('#pay');
    await page.waitForURL(/sandbox-gateway\/pay/);
    await page.click('button[value=pay]');
    await page.click('a#return');
    await page.waitForSelector('.banner-success:has-text("through the gateway")');
    assert.ok(page.url().endsWith(`#/resources/${cluster.id}`));
    const after = await customer.api('GET', `/v1/resources/${cluster.id}`);
    assert.ok(after.members.filter(m => m.type !== 'load_balancer').every(m => m.billing.mode === 'prepaid'));
    const payments = await customer.api('GET', '/v1/payments');
    assert.equal(payments.data.length, 1);
    assert.equal(payments.data[0].method, 'gateway');
    await assertClean(page);
    await page.context().close();
  });

  it('a payment cancelled at the gateway leaves the checkout open to pay again', async () => {
    const {page} = await atCheckout({name: 'Cancelling customer', credit: 0}, {name: 'gw-cancel', nodes: 1});
    await page.click('#continue');
    await page.click('#pay');
    await page.waitForURL(/sandbox-gateway\/pay/);
    await page.click('button[value=cancel]');
    await page.click('a#return');
    await page.waitForSelector('h1:text("Payment not completed")');
    assert.ok((await page.textContent('.warning')).includes('cancelled'));
    await page.click('text=Choose a payment method again');
    await page.waitForSelector('#pay');
    await page.context().close();
  });
});

describe('Stop POC on one member of a cluster', () => {
  it('warns that the cluster stays POC until it is stopped on the cluster', async () => {
    const customer = await newCustomer(env.server, {name: 'Member customer'});
    const cluster = await pocCluster(env.server, customer, {name: 'member-vks', nodes: 1});
    const node = cluster.members.find(m => m.role === 'node');
    const page = await signedInPage(env.browser, env.server, customer);
    await page.goto(`${env.server.url}/#/resources/${node.id}`);
    await page.click('#stop-poc');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('table').waitFor();
    const preview = await customer.api('POST', `/v1/resources/${node.id}/stop-poc/preview`);
    assert.equal(preview.warnings.length, 1);
    // tallyd's sentence, told with the cluster's name instead of ids
    assert.ok(preview.warnings[0].includes(cluster.id));
    const warning = await dialog.locator('.warning').textContent();
    assert.ok(warning.includes(cluster.name) && !warning.includes(cluster.id), warning);
    assert.deepEqual(await dialog.locator('tbody td:first-child').allTextContents(), [node.name]);
    await dialog.locator('button:text-is("Cancel")').click();
    assert.equal((await customer.api('GET', `/v1/resources/${node.id}`)).billing.mode, 'poc', 'cancel changes nothing');
    await assertClean(page);
    await page.context().close();
  });
});

describe('the cluster "Stop" case', () => {
  it('is one confirmation with no payment when every member is already paid', async () => {
    const customer = await newCustomer(env.server, {name: 'Stop customer'});
    const cluster = await pocCluster(env.server, customer, {name: 'half-done', nodes: 1});
    // Each server and volume converted on its own, as on the vServer portal.
    for (const m of cluster.members.filter(x => x.type !== 'load_balancer')) {
      const checkout = await customer.api('POST', `/v1/resources/${m.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
      await customer.api('POST', `/v1/checkouts/${checkout.id}/pay`, {method: 'credit'});
    }
    const invoicesBefore = (await customer.api('GET', '/v1/invoices')).data.length;
    const page = await signedInPage(env.browser, env.server, customer);
    await openResource(page, 'half-done');
    await page.click('#stop-poc');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('.btn-primary:text-is("Stop")').waitFor();
    assert.ok((await dialog.textContent()).includes('nothing to pay'));
    assert.equal(await dialog.locator('table').count(), 0);
    await dialog.locator('.btn-primary').click();
    await page.waitForSelector('.banner-success:has-text("no longer a POC")');
    assert.equal(await page.locator('#stop-poc').count(), 0);
    const after = await customer.api('GET', `/v1/resources/${cluster.id}`);
    assert.equal(after.stop_poc_available, false);
    assert.equal((await customer.api('GET', '/v1/invoices')).data.length, invoicesBefore, 'nothing charged');
    assert.equal(page.url().includes('/checkouts/'), false);
    await page.context().close();
  });
});

describe('a coupon that does not apply', () => {
  it('shows the reason and leaves the price as it was', async () => {
    await env.server.admin('POST', '/v1/coupons', {code: 'LONGTERM', percent_off: 20, min_cycle_months: 12});
    const {customer, page, checkoutId} = await atCheckout({name: 'Coupon customer'}, {name: 'coupon-vks', nodes: 1});
    const total = await page.textContent('#checkout-total');

    await page.fill('#coupon', 'NO-SUCH-CODE');
    await page.click('.coupon-form button[type=submit]');
    const alert = page.locator('#coupon-status [role=alert]');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes('coupon_not_found'));
    assert.ok((await alert.textContent()).includes('NO-SUCH-CODE'));

    // a real coupon, but only for terms of 12 months or more
    await page.fill('#coupon', 'LONGTERM');
    await page.click('.coupon-form button[type=submit]');
    await page.waitForSelector('#coupon-status [role=alert]:has-text("LONGTERM")');
    let refused;
    try {
      await customer.api('PATCH', `/v1/checkouts/${checkoutId}`, {coupon: 'LONGTERM'});
    } catch (error) {
      refused = error.body.error;
    }
    assert.ok(refused, 'tallyd refuses the coupon on a 1-month term');
    const shown = await page.textContent('#coupon-status');
    assert.ok(shown.includes(refused.message), `the reason "${refused.message}" is shown: ${shown}`);
    assert.ok(shown.includes(refused.code));
    assert.equal(await page.textContent('#checkout-total'), total, 'price unchanged');
    assert.equal((await customer.api('GET', `/v1/checkouts/${checkoutId}`)).coupon, null);
    await screenshot(page, 'checkout-invalid-coupon', {fullPage: true});
    await page.context().close();
  });
});

describe('credit that does not cover the total', () => {
  it('says how much is missing and offers the gateway instead', async () => {
    const {customer, page, checkoutId} = await atCheckout({name: 'Short customer', credit: 100000}, {name: 'short-vks', nodes: 1});
    const checkout = await customer.api('GET', `/v1/checkouts/${checkoutId}`);
    await page.click('#continue');
    await page.waitForSelector('#pay');
    assert.ok(await page.isDisabled('#method-credit'));
    assert.ok(await page.isChecked('#method-gateway'));
    const short = await page.textContent('#credit-short');
    assert.ok(short.includes(vnd(checkout.total - 100000)), short);
    await page.context().close();
  });

  it('shows tallyd\'s refusal when the credit went elsewhere after the page loaded', async () => {
    const customer = await newCustomer(env.server, {name: 'Racing customer', credit: 0});
    const a = await pocCluster(env.server, customer, {name: 'race-a', nodes: 1});
    const b = await pocCluster(env.server, customer, {name: 'race-b', nodes: 1});
    const checkoutA = await customer.api('POST', `/v1/resources/${a.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
    const checkoutB = await customer.api('POST', `/v1/resources/${b.id}/stop-poc`, {cycle_months: 1, auto_renew: false});
    // enough for one of the two, not both
    await env.server.admin('POST', `/v1/accounts/${customer.account.id}/credit`, {amount: Math.max(checkoutA.total, checkoutB.total), reference: 'one of two'});
    const page = await signedInPage(env.browser, env.server, customer);
    await page.goto(`${env.server.url}/#/checkouts/${checkoutA.id}/pay`);
    await page.waitForSelector('#pay');
    assert.ok(await page.isChecked('#method-credit'));
    await customer.api('POST', `/v1/checkouts/${checkoutB.id}/pay`, {method: 'credit'});
    await page.click('#pay');
    const alert = page.locator('form.payment [role=alert]');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes('insufficient_credit'));
    assert.equal((await customer.api('GET', `/v1/checkouts/${checkoutA.id}`)).status, 'open');
    await screenshot(page, 'payment-insufficient-credit', {fullPage: true});
    // topped up, the same page pays: the refusal is not replayed
    await env.server.admin('POST', `/v1/accounts/${customer.account.id}/credit`, {amount: checkoutA.total, reference: 'top-up'});
    await page.click('#pay');
    await page.waitForSelector('.banner-success:has-text("invoices issued")');
    assert.equal((await customer.api('GET', `/v1/checkouts/${checkoutA.id}`)).status, 'paid');
    await assertClean(page);
    await page.context().close();
  });
});

describe('paying twice is not possible', () => {
  it('a double click on Pay makes one payment', async () => {
    const {customer, page} = await atCheckout({name: 'Double clicker'}, {name: 'dbl', nodes: 1});
    await page.click('#continue');
    await page.waitForSelector('#pay');
    const before = await customer.api('GET', '/v1/wallets');
    await page.dblclick('#pay');
    await page.waitForSelector('.banner-success:has-text("invoices issued")');
    const payments = await customer.api('GET', '/v1/payments');
    assert.equal(payments.data.length, 1);
    const after = await customer.api('GET', '/v1/wallets');
    assert.equal(after.credit.balance, before.credit.balance - payments.data[0].amount);
    await assertClean(page);
    await page.context().close();
  });
});

describe('Stop POC on a postpaid account', () => {
  it('converts at once with nothing to pay, invoiced monthly', async () => {
    const customer = await newCustomer(env.server, {name: 'Postpaid customer'});
    await env.server.admin('PATCH', `/v1/accounts/${customer.account.id}`, {type: 'postpaid'});
    const cluster = await pocCluster(env.server, customer, {name: 'post-vks', nodes: 1});
    const page = await signedInPage(env.browser, env.server, customer);
    await openResource(page, 'post-vks');
    await confirmStopPoc(page);
    await page.waitForSelector('.banner-success:has-text("postpaid")');
    assert.ok(page.url().endsWith(`#/resources/${cluster.id}`));
    const after = await customer.api('GET', `/v1/resources/${cluster.id}`);
    assert.ok(after.members.every(m => m.billing.mode === 'postpaid'));
    assert.equal((await customer.api('GET', '/v1/payments')).data.length, 0);
    await assertClean(page);
    await page.context().close();
  });
});
