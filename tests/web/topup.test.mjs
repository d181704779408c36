// Topping up credit through the payment gateway from the payment page,
// where credit is short, end to end in headless Chromium against a real
// tallyd whose sandbox speaks VNPay's protocol.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {assertClean, newCustomer, pocCluster, signedInPage, tallydAndBrowser} from './support.mjs';

const env = tallydAndBrowser();

describe('Top-up through the gateway where credit is short', () => {
  it('offers the shortfall, pays it on the gateway and lands on the wallets with the credit', async () => {
    const customer = await newCustomer(env.server, {name: 'Top-up customer', credit: 0});
    const cluster = await pocCluster(env.server, customer, {name: 'topup-vks', nodes: 1});
    const page = await signedInPage(env.browser, env.server, customer);
    await page.click(`a:text-is("${cluster.name}")`);
    await page.waitForSelector(`h1:text-is("${cluster.name}")`);
    await page.click('#stop-poc');
    await page.waitForSelector('dialog[open] .btn-primary');
    await page.click('dialog[open] .btn-primary');
    await page.waitForSelector('#continue');
    const checkoutId = page.url().match(/checkouts\/(chk_\w+)/)[1];
    await page.click('#continue');
    await page.waitForSelector('#top-up');
    const checkout = await customer.api('GET', `/v1/checkouts/${checkoutId}`);
    assert.equal(await page.inputValue('#top-up-amount'), String(checkout.total), 'the shortfall is offered');
    await page.click('#top-up');
    await page.waitForURL(/sandbox-gateway\/pay\?.*vnp_Amount=/);
    await page.click('button[value=pay]');
    await page.click('a#return');
    await page.waitForSelector('#credit-balance');
    assert.match(page.url(), /#\/wallets$/);
    const wallets = await customer.api('GET', '/v1/wallets');
    assert.equal(wallets.credit.balance, checkout.total);
    await assertClean(page);
    await page.context().close();
  });
});
