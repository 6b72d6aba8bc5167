// Lote's web dashboard, end to end in headless Chromium (Debian's, driven by playwright-core):
// sign-in, the pools' heat maps, a pool's autoscale runs, a node's metrics and files, a job's task
// counts over time and a task's stdout while it runs. Prints an "ok" line per check; exits non-zero
// at the first that fails. Takes screenshots into $LOTE_SCREENSHOTS.
//
// LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY: the stack; LOTE_POOL: a pool with two nodes and an
// autoscale formula; LOTE_JOB: a job on it whose task "slow", added just before, prints "tick 1"
// to "tick 8" two seconds apart, with other tasks that succeed and one ("fails") that fails.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { LOTE_ENDPOINT, LOTE_ACCOUNT, LOTE_KEY, LOTE_POOL: pool, LOTE_JOB: job } = process.env;
const shots = process.env.LOTE_SCREENSHOTS || 'screenshots';
const chromiumPath = process.env.LOTE_CHROMIUM || '/usr/bin/chromium';
mkdirSync(shots, { recursive: true });

function ok(what) {
  console.log(`ok ${what}`);
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  // this machine has no network beyond its own: Chromium must not try to reach Google's services
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const problems = [];
let page;
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (403|404|416)/.test(m.text())) problems.push(`console: ${m.text()}`); });
  const dashboard = `${LOTE_ENDPOINT}/dashboard/`;

  // sign in: a wrong key is refused with the Batch error, the right one shows the pools
  await page.goto(dashboard);
  await page.locator('[data-test=signin]').waitFor();
  await page.fill('#account', LOTE_ACCOUNT);
  await page.fill('#key', Buffer.from('not the key of this account at all').toString('base64'));
  await page.click('#signin button[type=submit]');
  await page.locator('#signin-error [data-test=error]').filter({ hasText: 'AuthenticationFailed' }).waitFor();
  ok('a wrong key is refused with AuthenticationFailed');
  await page.screenshot({ path: join(shots, 'dashboard-sign-in.png') });
  await page.fill('#key', LOTE_KEY);
  await page.click('#signin button[type=submit]');
  const poolRow = page.locator('[data-test=pool-row]').filter({ has: page.locator(`a:text-is("${pool}")`) });
  await poolRow.waitFor();
  ok('signed in, the pools are listed');

  // the task page follows stdout while the task runs
  await page.goto(`${dashboard}#/jobs/${encodeURIComponent(job)}/tasks/${process.env.LOTE_SLOW || 'slow'}`);
  await page.locator('[data-test=stdout]').filter({ hasText: 'tick 1' }).waitFor();
  const stateThen = await page.locator('[data-test=task-state]').innerText();
  const ticksThen = (await page.locator('[data-test=stdout]').innerText()).split('\n').filter((l) => l.startsWith('tick')).length;
  if (stateThen !== 'running' || ticksThen >= 8) throw new Error(`slow was ${stateThen} with ${ticksThen} lines out when the page first showed it; the test needs it running`);
  ok('stdout shows the first lines while the task runs');
  await page.locator('[data-test=stdout]').filter({ hasText: 'tick 4' }).waitFor();
  await page.screenshot({ path: join(shots, 'dashboard-task.png') });
  await page.locator('[data-test=task-state]').filter({ hasText: 'completed' }).waitFor();
  await page.locator('[data-test=stdout]').filter({ hasText: 'tick 8' }).waitFor();
  const stdout = await page.locator('[data-test=stdout]').innerText();
  const ticks = stdout.split('\n').filter((l) => l.startsWith('tick'));
  if (ticks.length !== 8) throw new Error(`stdout read live has ${ticks.length} ticks, not 8 once each:\n${stdout}`);
  ok('later lines follow without a reload, each once, and the task completes');

  // the heat map: a cell per node, coloured by state
  await page.goto(`${dashboard}#/pools`);
  await page.waitForFunction(
    (p) => [...document.querySelectorAll('[data-test=pool-row]')].some((r) => r.querySelector('a')?.textContent === p
      && [...r.querySelectorAll('[data-test=node-cell]')].filter((c) => ['idle', 'running'].includes(c.dataset.state)).length === 2),
    pool);
  ok('the pool row has a heat map cell for each of its 2 nodes');
  await page.screenshot({ path: join(shots, 'dashboard-pools.png') });

  // the pool page: nodes and the autoscale runs with each formula's results
  await poolRow.locator('a').first().click();
  await page.locator('[data-test=formula]').waitFor();
  await page.locator('[data-test=heatmap] [data-test=node-cell]').nth(1).waitFor();
  const run = page.locator('[data-test=autoscale-run]').filter({ hasText: '$TargetDedicatedNodes' }).first();
  await run.waitFor();
  const runText = await run.innerText();
  if (!/\$TargetDedicatedNodes\s*=\s*2/.test(runText)) throw new Error(`the autoscale run shows ${runText}`);
  ok('the pool page shows its autoscale runs with the results of the formula');
  await page.screenshot({ path: join(shots, 'dashboard-pool.png') });

  // the job page: counts and the tasks by state over time
  await page.goto(`${dashboard}#/jobs/${encodeURIComponent(job)}`);
  await page.locator('[data-test=task-counts]').filter({ hasText: '0 active · 0 running' }).waitFor();
  const counts = await page.locator('[data-test=task-counts]').innerText();
  if (!/succeeded · 1 failed/.test(counts)) throw new Error(`task counts: ${counts}`);
  await page.locator('[data-test=state-chart] [data-test=band-completed]').waitFor();
  const failedRow = page.locator('[data-test=task-row]').filter({ hasText: 'fails' });
  if (!(await failedRow.innerText()).includes('3')) throw new Error('the failed task\'s exit code is not shown');
  ok('the job page shows its task counts, the chart of tasks by state and each task\'s exit code');
  await page.screenshot({ path: join(shots, 'dashboard-job.png'), fullPage: true });

  // a node: its files and its metrics from the agent's heartbeats
  await page.goto(`${dashboard}#/pools/${encodeURIComponent(pool)}`);
  await page.locator('[data-test=heatmap] [data-test=node-cell]').first().click();
  await page.locator('[data-test=node-files] [data-test=node-file]').first().waitFor();
  ok('the node page lists the node\'s files');
  await page.locator('[data-test=node-metrics] [data-test=cpu]').waitFor({ timeout: 90_000 });
  const cpu = await page.locator('[data-test=cpu]').innerText();
  if (!/^\d+(\.\d)? %$/.test(cpu)) throw new Error(`CPU shows ${cpu}`);
  ok('the node page shows the node\'s CPU and memory');
  await page.locator('[data-test=node-metrics] svg').first().waitFor({ timeout: 90_000 });
  await page.screenshot({ path: join(shots, 'dashboard-node.png'), fullPage: true });

  // the key stays in the tab: a reload keeps the session, signing out ends it
  await page.reload();
  await page.locator('[data-test=node-files]').waitFor();
  await page.click('#signout');
  await page.locator('[data-test=signin]').waitFor();
  ok('a reload keeps the session and signing out asks for the key again');

  if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
  ok('no script errors');
  console.log('dashboard browser test passed');
} catch (e) {
  console.log(`FAILED: ${e.message}`);
  if (problems.length) console.log(problems.join('\n'));
  if (page) {
    console.log(`at ${page.url()}, the page read:\n${await page.locator('body').innerText().catch(() => '(unreadable)')}`);
    await page.screenshot({ path: join(shots, 'dashboard-failure.png'), fullPage: true }).catch(() => {});
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
