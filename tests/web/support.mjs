// support.mjs: what the console tests share: a real tallyd (random port,
// temporary database, --test-clock, sandbox gateway) started per test file,
// admin calls to set up accounts, and Debian's Chromium through
// playwright-core. Nothing here downloads a browser.
import {spawn} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {randomBytes} from 'node:crypto';
import {after, before} from 'node:test';
import {chromium} from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binDir = process.env.TALLY_BIN_DIR || join(repo, 'build/bin');
export const CHROMIUM = process.env.TALLY_CHROMIUM || '/usr/bin/chromium';

export async function startTallyd() {
  const dir = mkdtempSync(join(tmpdir(), 'tally-web-'));
  const adminToken = `tla_${randomBytes(16).toString('hex')}`;
  const child = spawn(join(binDir, 'tallyd'), ['--listen', '127.0.0.1:0', '--db', join(dir, 'tally.db'),
    '--test-clock', '--sandbox-gateway', '--no-access-log', '--web', join(repo, 'web')], {
    env: {...process.env, TALLY_ADMIN_TOKEN: adminToken}, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = [];
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`tallyd did not start:\n${log.join('\n')}`)), 15000);
    child.on('exit', code => fail(new Error(`tallyd exited with ${code}:\n${log.join('\n')}`)));
    createInterface({input: child.stderr}).on('line', line => {
      log.push(line);
      if (log.length > 200) log.shift();
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      ok(JSON.parse(line).url);
    });
  });
  const server = {url, adminToken, log, dir};
  server.admin = (method, path, body) => call(url, adminToken, method, path, body);
  server.as = token => (method, path, body) => call(url, token, method, path, body);
  // Never left running: not by a test that fails, nor by one that hangs.
  const kill = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  server.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise(ok => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 15000); // tallyd waits up to 10 s for requests
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, {recursive: true, force: true});
  };
  return server;
}

async function call(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method, headers: {Authorization: `Bearer ${token}`, 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(`${method} ${path} -> ${response.status} ${text}`);
    error.status = response.status;
    error.body = json;
    throw error;
  }
  return json;
}

// An account with credit, a POC wallet, and its token.
export async function newCustomer(server, {credit = 50000000, poc = 20000000, pocDays = 14, name = 'Customer'} = {}) {
  const account = await server.admin('POST', '/v1/accounts', {name});
  if (credit) await server.admin('POST', `/v1/accounts/${account.id}/credit`, {amount: credit, reference: 'test credit'});
  let wallet = null;
  if (poc) {
    const clock = await server.admin('GET', '/v1/admin/clock');
    const expires = new Date(Date.parse(clock.now) + pocDays * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
    wallet = await server.admin('POST', `/v1/accounts/${account.id}/poc-wallets`, {amount: poc, expires_at: expires});
  }
  const {token} = await server.admin('POST', `/v1/accounts/${account.id}/tokens`);
  return {account, token, wallet, api: server.as(token)};
}

// A POC cluster of `nodes` nodes with boot volumes; vks also gets a PVC and
// a load balancer, as a real VKS cluster would.
export async function pocCluster(server, customer, {name = 'vks-1', service = 'vks', nodes = 2} = {}) {
  const cluster = await server.admin('POST', '/v1/resources', {account_id: customer.account.id, type: 'cluster', name, poc: true,
    spec: {service, node_flavor: 's.general.2c4g', node_count: nodes, boot_volume_gb: 20}});
  if (service === 'vks') {
    await server.admin('POST', '/v1/resources', {account_id: customer.account.id, type: 'volume', name: `${name}-pvc`, poc: true,
      cluster_id: cluster.id, role: 'pvc', spec: {volume_type: 'v.ssd', size_gb: 50}});
    await server.admin('POST', '/v1/resources', {account_id: customer.account.id, type: 'load_balancer', name: `${name}-lb`,
      poc: false, cluster_id: cluster.id, role: 'load_balancer', spec: {}});
  }
  return customer.api('GET', `/v1/resources/${cluster.id}`);
}

// One tallyd and one browser for a test file: env.server and env.browser
// once its tests run.
export function tallydAndBrowser() {
  const env = {server: null, browser: null};
  before(async () => {
    env.server = await startTallyd();
    env.browser = await chromium.launch({executablePath: CHROMIUM});
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

// A page signed in as customer, failing the test on any script error.
export async function signedInPage(browser, server, customer, viewport = {width: 1280, height: 900}) {
  const context = await browser.newContext({viewport, acceptDownloads: true});
  const page = await context.newPage();
  page.scriptErrors = [];
  page.on('pageerror', error => page.scriptErrors.push(error.message));
  await page.goto(`${server.url}/#/sign-in`);
  await page.fill('#token', customer.token);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:text("Resources")');
  return page;
}

// Waits until the console has drawn the page its URL names.
export async function rendered(page) {
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main.dataset.rendered !== undefined && main.dataset.rendered === location.hash;
  });
}

// Fails the test when a script error escaped or the global error banner
// shows: every error must land where the user is looking, on purpose.
export async function assertClean(page) {
  const assert = (await import('node:assert/strict')).default;
  assert.deepEqual(page.scriptErrors, [], 'no script errors');
  assert.equal(await page.locator('#banner [role=alert]').count(), 0, 'no stray error banner');
}

// Saves a screenshot for the README when TALLY_SCREENSHOTS names a folder.
export async function screenshot(page, name, options = {}) {
  const folder = process.env.TALLY_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, {recursive: true});
  await page.screenshot({path: join(folder, `${name}.png`), ...options});
}

// "₫18,924,840" as the console writes it, from the API's integer.
export function vnd(amount) {
  return new Intl.NumberFormat('en-US', {style: 'currency', currency: 'VND'}).format(amount);
}
