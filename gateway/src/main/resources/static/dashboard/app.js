// Lote's dashboard: pools and their nodes, jobs and their tasks, live from the Batch API and the
// event stream. Every value from the service is put in the page as text, never as markup.
import { BatchClient, BatchError, path } from './batch.js';

const SESSION = 'lote.dashboard.credentials';
const STATE_COLOURS = {
  idle: '#4caf50', running: '#1e88e5', starting: '#ffb300', waitingforstarttask: '#ffb300', creating: '#ffe082',
  rebooting: '#8e24aa', reimaging: '#8e24aa', leavingpool: '#90a4ae', offline: '#607d8b', preempted: '#ff7043',
  starttaskfailed: '#e53935', unusable: '#c62828', unknown: '#424242', deallocated: '#bdbdbd', deallocating: '#bdbdbd',
  upgradingos: '#8e24aa',
};
const TASK_COLOURS = { active: '#9e9e9e', preparing: '#ffb300', running: '#1e88e5', completed: '#43a047', failed: '#e53935' };

let client = null;
let view = null; // the page shown now: {stop()} ends its streams and timers

// ---- a little DOM kit ----

function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'rect', 'path', 'line', 'text', 'g', 'polyline', 'title'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'test') el.setAttribute('data-test', v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const main = () => document.getElementById('main');
const show = (...nodes) => main().replaceChildren(...nodes);

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

function bytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function props(rows) {
  return h('dl', { class: 'props' }, rows.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function errorBox(e) {
  return h('div', { class: 'error', test: 'error', role: 'alert' }, e.code ? `${e.code}: ${e.message}` : e.message);
}

/** Runs {@code fn} at most once per {@code ms}, the last call winning. */
function throttle(fn, ms) {
  let timer = null;
  let again = false;
  return () => {
    if (timer) {
      again = true;
      return;
    }
    fn();
    timer = setTimeout(function tick() {
      timer = null;
      if (again) {
        again = false;
        fn();
        timer = setTimeout(tick, ms);
      }
    }, ms);
  };
}

/**
 * For a redraw on events: at most once a second, and once more two seconds after the last event.
 * An agent's report of a task (task.started, task.completed) is published before the job-service
 * has applied it, so the state read right after it may still be the one before.
 */
function onEvents(fn) {
  const now = throttle(fn, 1000);
  let later = null;
  return () => {
    now();
    clearTimeout(later);
    later = setTimeout(fn, 2000);
  };
}

/** A page's life: its event stream and timers end when another page is shown. */
class View {
  constructor() {
    this.abort = new AbortController();
    this.timers = [];
  }
  get signal() {
    return this.abort.signal;
  }
  follow(params, onEvent) {
    const status = document.getElementById('live');
    client.follow(params, onEvent, this.signal, (s, detail) => {
      status.textContent = s === 'open' ? 'live' : 'reconnecting…';
      status.title = detail || '';
      status.className = s === 'open' ? 'live on' : 'live off';
    });
  }
  every(ms, fn) {
    this.timers.push(setInterval(fn, ms));
  }
  stop() {
    this.abort.abort();
    this.timers.forEach(clearInterval);
  }
}

// ---- sign in ----

function signIn(message) {
  document.getElementById('who').textContent = '';
  document.getElementById('nav').hidden = true;
  const account = h('input', { id: 'account', name: 'account', value: 'lote', autocomplete: 'username', required: true });
  const key = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('div', { id: 'signin-error' });
  if (message) problem.append(errorBox(message));
  const form = h('form', { id: 'signin', class: 'card', test: 'signin' },
    h('h2', {}, 'Sign in to Lote'),
    h('p', { class: 'hint' }, 'With the Batch account\'s name and one of its keys. They stay in this browser tab and sign every request; the dashboard sees what the key gives any Batch client.'),
    h('label', { for: 'account' }, 'Account'), account,
    h('label', { for: 'key' }, 'Key'), key,
    h('button', { type: 'submit' }, 'Sign in'),
    problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    problem.replaceChildren();
    try {
      const c = new BatchClient(account.value.trim(), key.value);
      await c.get('/pools', { maxresults: 1 });
      sessionStorage.setItem(SESSION, JSON.stringify({ account: account.value.trim(), key: key.value }));
      client = c;
      route();
    } catch (e) {
      problem.replaceChildren(errorBox(e));
    }
  });
  show(form);
}

// ---- heat map ----

function heatMap(poolId, nodes, size) {
  if (!nodes.length) return h('p', { class: 'hint', test: 'heatmap-empty' }, 'No nodes.');
  const cells = nodes.map((n) => {
    const state = n.state || 'unknown';
    const load = n.runningTaskSlotsCount ?? n.runningTasksCount ?? 0;
    return h('a', {
      class: `cell ${size}`, href: `#/pools/${encodeURIComponent(poolId)}/nodes/${encodeURIComponent(n.id)}`,
      title: `${n.id}: ${state}${load ? `, ${load} running` : ''}`, test: 'node-cell', 'data-state': state,
    }, size === 'large' ? h('span', {}, load || '') : '');
  });
  cells.forEach((c, i) => { c.style.background = STATE_COLOURS[nodes[i].state] || '#757575'; });
  return h('div', { class: 'heatmap', test: 'heatmap' }, cells);
}

function legend(colours, present) {
  return h('div', { class: 'legend' }, Object.entries(colours).filter(([s]) => !present || present.has(s)).map(([s, c]) => {
    const swatch = h('span', { class: 'swatch' });
    swatch.style.background = c;
    return h('span', {}, swatch, s);
  }));
}

// ---- pools ----

async function poolsPage(v) {
  const body = h('div', {}, h('h2', {}, 'Pools'), h('p', { class: 'hint' }, 'Loading…'));
  show(body);
  const draw = async () => {
    try {
      const pools = await client.list('/pools');
      const nodesByPool = await Promise.all(pools.map((p) => client.list(path('pools', p.id, 'nodes')).catch(() => [])));
      const present = new Set(nodesByPool.flat().map((n) => n.state));
      body.replaceChildren(h('h2', {}, 'Pools'),
        pools.length === 0 ? h('p', { class: 'hint' }, 'No pools yet.') : h('table', { test: 'pools' },
          h('thead', {}, h('tr', {}, ['Pool', 'State', 'VM size', 'Dedicated', 'Low priority', 'Autoscale', 'Nodes'].map((t) => h('th', {}, t)))),
          h('tbody', {}, pools.map((p, i) => h('tr', { test: 'pool-row' },
            h('td', {}, h('a', { href: `#/pools/${encodeURIComponent(p.id)}` }, p.id)),
            h('td', {}, `${p.state} / ${p.allocationState}`),
            h('td', {}, p.vmSize),
            h('td', {}, `${p.currentDedicatedNodes ?? 0} of ${p.targetDedicatedNodes ?? 0}`),
            h('td', {}, `${p.currentLowPriorityNodes ?? 0} of ${p.targetLowPriorityNodes ?? 0}`),
            h('td', {}, p.enableAutoScale ? 'on' : 'off'),
            h('td', {}, heatMap(p.id, nodesByPool[i], 'small')))))),
        legend(STATE_COLOURS, present));
    } catch (e) {
      body.replaceChildren(h('h2', {}, 'Pools'), errorBox(e));
    }
  };
  await draw();
  v.follow({ types: 'pool.*,node.*' }, onEvents(draw));
}

function parseResults(results) {
  return (results || '').split(';').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

async function poolPage(v, poolId) {
  const head = h('div', {});
  const nodesBox = h('div', {});
  const runs = h('tbody', {});
  const runsTable = h('table', { test: 'autoscale-runs' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Results'), h('th', {}, 'Error'))), runs);
  const autoscaleBox = h('div', {});
  show(h('p', { class: 'crumbs' }, h('a', { href: '#/pools' }, 'Pools'), ' / ', poolId), head, h('h3', {}, 'Nodes'), nodesBox, autoscaleBox);
  const draw = async () => {
    try {
      const [p, nodes] = await Promise.all([client.get(path('pools', poolId)), client.list(path('pools', poolId, 'nodes'))]);
      head.replaceChildren(h('h2', {}, p.displayName ? `${p.id} (${p.displayName})` : p.id), props([
        ['State', `${p.state} / ${p.allocationState}`], ['VM size', p.vmSize],
        ['Dedicated nodes', `${p.currentDedicatedNodes ?? 0} of ${p.targetDedicatedNodes ?? 0}`],
        ['Low-priority nodes', `${p.currentLowPriorityNodes ?? 0} of ${p.targetLowPriorityNodes ?? 0}`],
        ['Task slots per node', p.taskSlotsPerNode], ['Created', when(p.creationTime)],
        ['Resize errors', (p.resizeErrors || []).map((e) => `${e.code}: ${e.message}`).join('; ')],
      ]));
      nodesBox.replaceChildren(heatMap(poolId, nodes, 'large'), legend(STATE_COLOURS, new Set(nodes.map((n) => n.state))));
      autoscaleBox.replaceChildren(h('h3', {}, 'Autoscale'), p.enableAutoScale
        ? h('div', {}, props([['Interval', p.autoScaleEvaluationInterval]]),
          h('pre', { class: 'formula', test: 'formula' }, p.autoScaleFormula || ''),
          h('h4', {}, 'Runs, newest first'), runsTable)
        : h('p', { class: 'hint' }, 'Autoscale is off: the pool keeps its target sizes.'));
    } catch (e) {
      head.replaceChildren(errorBox(e));
    }
  };
  await draw();
  const redraw = onEvents(draw);
  const seen = new Set();
  v.follow({ poolId, from: 'earliest', types: 'pool.*,node.*,autoscale.evaluated' }, (e) => {
    if (e.type !== 'autoscale.evaluated') {
      redraw();
      return;
    }
    if (seen.has(e.data.id)) return;
    seen.add(e.data.id);
    const run = e.data.data;
    runs.prepend(h('tr', { test: 'autoscale-run' },
      h('td', {}, when(run.timestamp)),
      h('td', {}, h('div', { class: 'results' }, parseResults(run.results).map(([k, val]) => h('span', { class: 'chip' }, h('b', {}, k), ' = ', val)))),
      h('td', {}, run.error ? `${run.error.code}: ${run.error.message}` : '')));
    while (runs.children.length > 200) runs.lastChild.remove();
  });
}

// ---- nodes ----

function sparkline(values, max, label) {
  const w = 240;
  const hgt = 48;
  if (values.length < 2) return h('span', { class: 'hint' }, 'collecting…');
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const pts = values.map((val, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(hgt - (val / top) * (hgt - 2) - 1).toFixed(1)}`);
  return h('svg', { class: 'spark', viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, role: 'img', 'aria-label': label },
    h('polyline', { points: pts.join(' '), fill: 'none', stroke: '#1e88e5', 'stroke-width': 1.5 }));
}

async function nodePage(v, poolId, nodeId) {
  const head = h('div', {});
  const metrics = h('div', { test: 'node-metrics' }, h('p', { class: 'hint' }, 'Waiting for the node\'s first heartbeat…'));
  const files = h('div', {});
  show(h('p', { class: 'crumbs' }, h('a', { href: '#/pools' }, 'Pools'), ' / ', h('a', { href: `#/pools/${encodeURIComponent(poolId)}` }, poolId), ' / ', nodeId),
    head, h('h3', {}, 'Metrics'), metrics, h('h3', {}, 'Files'), files);
  const drawNode = async () => {
    try {
      const n = await client.get(path('pools', poolId, 'nodes', nodeId));
      head.replaceChildren(h('h2', {}, nodeId), props([
        ['State', n.state], ['Scheduling', n.schedulingState], ['IP address', n.ipAddress], ['VM size', n.vmSize],
        ['Dedicated', n.isDedicated === false ? 'no (low priority)' : 'yes'],
        ['Running tasks', `${n.runningTasksCount ?? 0} (${n.runningTaskSlotsCount ?? 0} slots)`],
        ['Tasks run', `${n.totalTasksRun ?? 0}, ${n.totalTasksSucceeded ?? 0} succeeded`],
        ['Start task', n.startTaskInfo ? `${n.startTaskInfo.state}${n.startTaskInfo.exitCode !== undefined ? `, exit ${n.startTaskInfo.exitCode}` : ''}` : ''],
        ['Errors', (n.errors || []).map((e) => `${e.code}: ${e.message}`).join('; ')],
        ['Allocated', when(n.allocationTime)], ['State since', when(n.stateTransitionTime)],
      ]));
      const list = await client.list(path('pools', poolId, 'nodes', nodeId, 'files'), { recursive: true }, 500);
      files.replaceChildren(list.length === 0 ? h('p', { class: 'hint' }, 'No files.') : h('table', { test: 'node-files' },
        h('thead', {}, h('tr', {}, ['Name', 'Size', 'Modified'].map((t) => h('th', {}, t)))),
        h('tbody', {}, list.filter((f) => !f.isDirectory).map((f) => h('tr', { test: 'node-file' },
          h('td', {}, f.name), h('td', {}, bytes(f.properties?.contentLength)), h('td', {}, when(f.properties?.lastModified)))))));
    } catch (e) {
      head.replaceChildren(errorBox(e));
    }
  };
  const drawMetrics = async () => {
    try {
      const res = await client.fetch(`${path('lote', 'pools', poolId, 'nodes', nodeId, 'metrics')}`);
      if (!res.ok) throw await BatchClient.errorOf(res);
      const samples = (await res.json()).samples || [];
      if (!samples.length) return;
      const last = samples[samples.length - 1].metrics;
      const per = (m, f) => (m.intervalMillis > 0 ? (m[f] * 1000) / m.intervalMillis : 0);
      metrics.replaceChildren(h('table', { class: 'metrics' },
        h('tbody', {},
          h('tr', {}, h('th', {}, 'CPU'), h('td', { test: 'cpu' }, `${last.cpuPercent.toFixed(1)} %`), h('td', {}, sparkline(samples.map((s) => s.metrics.cpuPercent), 100, 'CPU'))),
          h('tr', {}, h('th', {}, 'Memory in use'), h('td', { test: 'memory' }, bytes(last.memoryBytes)), h('td', {}, sparkline(samples.map((s) => s.metrics.memoryBytes), 0, 'memory'))),
          h('tr', {}, h('th', {}, 'Disk in use'), h('td', {}, bytes(last.diskBytes)), h('td', {}, sparkline(samples.map((s) => s.metrics.diskBytes), 0, 'disk'))),
          h('tr', {}, h('th', {}, 'Disk read / write'), h('td', {}, `${bytes(per(last, 'diskReadBytes'))}/s / ${bytes(per(last, 'diskWriteBytes'))}/s`), h('td', {})),
          h('tr', {}, h('th', {}, 'Network in / out'), h('td', {}, `${bytes(per(last, 'networkInBytes'))}/s / ${bytes(per(last, 'networkOutBytes'))}/s`), h('td', {})))),
      h('p', { class: 'hint' }, `${samples.length} heartbeats, the last at ${when(samples[samples.length - 1].time)}`));
    } catch (e) {
      metrics.replaceChildren(errorBox(e));
    }
  };
  await Promise.all([drawNode(), drawMetrics()]);
  v.follow({ poolId, types: 'node.*,task.*' }, onEvents(drawNode));
  // heartbeats are not streamed: their figures are read at the agents' own pace
  v.every(10_000, drawMetrics);
}

// ---- jobs ----

function countsBar(c) {
  const total = (c.active || 0) + (c.running || 0) + (c.succeeded || 0) + (c.failed || 0);
  const bar = h('div', { class: 'bar', title: `${c.active} active, ${c.running} running, ${c.succeeded} succeeded, ${c.failed} failed` });
  for (const [k, colour] of [['succeeded', TASK_COLOURS.completed], ['failed', TASK_COLOURS.failed], ['running', TASK_COLOURS.running], ['active', TASK_COLOURS.active]]) {
    if (!c[k]) continue;
    const part = h('span', {});
    part.style.width = `${(100 * c[k]) / total}%`;
    part.style.background = colour;
    bar.append(part);
  }
  return bar;
}

function countsText(c) {
  return `${c.active} active · ${c.running} running · ${c.succeeded} succeeded · ${c.failed} failed`;
}

async function jobsPage(v) {
  const body = h('div', {}, h('h2', {}, 'Jobs'), h('p', { class: 'hint' }, 'Loading…'));
  show(body);
  const draw = async () => {
    try {
      const jobs = await client.list('/jobs', {}, 500);
      const counts = await Promise.all(jobs.map((j) => client.get(path('jobs', j.id, 'taskcounts')).then((c) => c.taskCounts).catch(() => null)));
      body.replaceChildren(h('h2', {}, 'Jobs'), jobs.length === 0 ? h('p', { class: 'hint' }, 'No jobs yet.') : h('table', { test: 'jobs' },
        h('thead', {}, h('tr', {}, ['Job', 'State', 'Pool', 'Priority', 'Created', 'Tasks', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, jobs.map((j, i) => h('tr', { test: 'job-row' },
          h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)), h('td', {}, j.state),
          h('td', {}, j.poolInfo?.poolId ?? 'auto pool'), h('td', {}, j.priority ?? 0), h('td', {}, when(j.creationTime)),
          h('td', { class: 'counts' }, counts[i] ? countsText(counts[i]) : ''), h('td', {}, counts[i] ? countsBar(counts[i]) : ''))))));
    } catch (e) {
      body.replaceChildren(h('h2', {}, 'Jobs'), errorBox(e));
    }
  };
  await draw();
  v.follow({ types: 'job.*,task.*' }, onEvents(draw));
}

/** The number of tasks in each state at each of {@code points} times, from their creation, start and end times. */
export function stateSeries(tasks, now, points = 120) {
  const times = tasks.map((t) => Date.parse(t.creationTime)).filter((x) => !isNaN(x));
  if (!times.length) return null;
  const start = Math.min(...times);
  const ends = tasks.map((t) => Date.parse(t.executionInfo?.endTime)).filter((x) => !isNaN(x));
  const allDone = tasks.every((t) => t.state === 'completed');
  const end = allDone && ends.length ? Math.max(...ends) : Math.max(now, start + 1000);
  const series = [];
  for (let i = 0; i <= points; i++) {
    const t = start + ((end - start) * i) / points;
    let active = 0;
    let running = 0;
    let completed = 0;
    for (const task of tasks) {
      const created = Date.parse(task.creationTime);
      if (!(created <= t)) continue;
      const started = Date.parse(task.executionInfo?.startTime);
      const ended = Date.parse(task.executionInfo?.endTime);
      if (task.state === 'completed' && ended <= t) completed++;
      else if (started <= t && !(ended <= t)) running++;
      else active++;
    }
    series.push({ t, active, running, completed });
  }
  return series;
}

function stateChart(series) {
  const w = 720;
  const hgt = 200;
  const pad = 28;
  if (!series) return h('p', { class: 'hint' }, 'No tasks yet.');
  const max = Math.max(1, ...series.map((s) => s.active + s.running + s.completed));
  const x = (i) => pad + ((w - pad - 8) * i) / (series.length - 1);
  const y = (n) => hgt - pad - ((hgt - pad - 8) * n) / max;
  const band = (lower, upper, colour, name) => {
    const top = series.map((s, i) => `${x(i).toFixed(1)},${y(upper(s)).toFixed(1)}`);
    const bottom = series.map((s, i) => `${x(i).toFixed(1)},${y(lower(s)).toFixed(1)}`).reverse();
    return h('path', { d: `M${top.join('L')}L${bottom.join('L')}Z`, fill: colour, 'fill-opacity': 0.85, test: `band-${name}` }, h('title', {}, name));
  };
  const first = new Date(series[0].t).toLocaleTimeString();
  const last = new Date(series[series.length - 1].t).toLocaleTimeString();
  return h('svg', { class: 'chart', viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, role: 'img', 'aria-label': 'tasks by state over time', test: 'state-chart' },
    band(() => 0, (s) => s.completed, TASK_COLOURS.completed, 'completed'),
    band((s) => s.completed, (s) => s.completed + s.running, TASK_COLOURS.running, 'running'),
    band((s) => s.completed + s.running, (s) => s.completed + s.running + s.active, TASK_COLOURS.active, 'active'),
    h('line', { x1: pad, y1: hgt - pad, x2: w - 8, y2: hgt - pad, stroke: '#555' }),
    h('line', { x1: pad, y1: 8, x2: pad, y2: hgt - pad, stroke: '#555' }),
    h('text', { x: pad - 4, y: 16, 'text-anchor': 'end', class: 'axis' }, max),
    h('text', { x: pad - 4, y: hgt - pad, 'text-anchor': 'end', class: 'axis' }, 0),
    h('text', { x: pad, y: hgt - 8, class: 'axis' }, first),
    h('text', { x: w - 8, y: hgt - 8, 'text-anchor': 'end', class: 'axis' }, last));
}

async function jobPage(v, jobId) {
  const head = h('div', {});
  const chart = h('div', {});
  const tasksBox = h('div', {});
  show(h('p', { class: 'crumbs' }, h('a', { href: '#/jobs' }, 'Jobs'), ' / ', jobId), head,
    h('h3', {}, 'Tasks by state over time'), chart, legend({ active: TASK_COLOURS.active, running: TASK_COLOURS.running, completed: TASK_COLOURS.completed }),
    h('h3', {}, 'Tasks'), tasksBox);
  const draw = async () => {
    try {
      const [j, counts, tasks] = await Promise.all([
        client.get(path('jobs', jobId)), client.get(path('jobs', jobId, 'taskcounts')),
        client.list(path('jobs', jobId, 'tasks'), { $select: 'id,state,creationTime,executionInfo,nodeInfo,commandLine' }, 5000)]);
      const c = counts.taskCounts;
      head.replaceChildren(h('h2', {}, j.id), props([
        ['State', j.state], ['Pool', j.poolInfo?.poolId], ['Priority', j.priority], ['Created', when(j.creationTime)],
        ['Task counts', h('span', { test: 'task-counts' }, countsText(c))], ['', countsBar(c)],
      ]));
      chart.replaceChildren(stateChart(stateSeries(tasks, Date.now())));
      tasksBox.replaceChildren(h('table', { test: 'tasks' },
        h('thead', {}, h('tr', {}, ['Task', 'State', 'Exit code', 'Node', 'Started', 'Ended'].map((t) => h('th', {}, t)))),
        h('tbody', {}, tasks.slice(0, 1000).map((t) => h('tr', { test: 'task-row' },
          h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(t.id)}` }, t.id)),
          h('td', {}, t.state), h('td', {}, t.executionInfo?.exitCode ?? ''), h('td', {}, t.nodeInfo?.nodeId ?? ''),
          h('td', {}, when(t.executionInfo?.startTime)), h('td', {}, when(t.executionInfo?.endTime)))))),
      tasks.length > 1000 ? h('p', { class: 'hint' }, `The first 1000 of ${tasks.length} tasks.`) : '');
    } catch (e) {
      head.replaceChildren(errorBox(e));
    }
  };
  await draw();
  v.follow({ jobId }, onEvents(draw));
}

// ---- tasks ----

async function taskPage(v, jobId, taskId) {
  const head = h('div', {});
  // a decoder per file keeps a character split between two reads whole
  const file = (name) => ({ el: h('pre', { class: 'log', test: name }), at: 0, decoder: new TextDecoder() });
  const out = { stdout: file('stdout'), stderr: file('stderr') };
  show(h('p', { class: 'crumbs' }, h('a', { href: '#/jobs' }, 'Jobs'), ' / ', h('a', { href: `#/jobs/${encodeURIComponent(jobId)}` }, jobId), ' / ', taskId),
    head, h('h3', {}, 'stdout'), out.stdout.el, h('h3', {}, 'stderr'), out.stderr.el);
  let done = false;
  let attempt = null;
  const drawTask = async () => {
    try {
      const t = await client.get(path('jobs', jobId, 'tasks', taskId));
      const x = t.executionInfo || {};
      head.replaceChildren(h('h2', {}, taskId), props([
        ['State', h('span', { test: 'task-state' }, t.state)], ['Command line', h('code', {}, t.commandLine)],
        ['Node', t.nodeInfo ? h('a', { href: `#/pools/${encodeURIComponent(t.nodeInfo.poolId)}/nodes/${encodeURIComponent(t.nodeInfo.nodeId)}` }, t.nodeInfo.nodeId) : ''],
        ['Exit code', x.exitCode], ['Result', x.result], ['Retries', x.retryCount], ['Requeues', x.requeueCount],
        ['Started', when(x.startTime)], ['Ended', when(x.endTime)],
        ['Failure', x.failureInfo ? `${x.failureInfo.code}: ${x.failureInfo.message}` : ''],
      ]));
      // a new attempt writes its files afresh
      const thisAttempt = `${x.retryCount ?? 0}/${x.requeueCount ?? 0}/${x.startTime ?? ''}`;
      if (attempt !== null && thisAttempt !== attempt) {
        for (const f of Object.values(out)) {
          f.at = 0;
          f.el.textContent = '';
          f.decoder = new TextDecoder();
        }
      }
      attempt = thisAttempt;
      done = t.state === 'completed';
      return t;
    } catch (e) {
      head.replaceChildren(errorBox(e));
      return null;
    }
  };
  // one read at a time, each from where the last ended; a call during a read makes one more after it
  let reading = null;
  let again = false;
  const readOnce = async () => {
    for (const [name, f] of Object.entries(out)) {
      try {
        const got = await client.tail(path('jobs', jobId, 'tasks', taskId, 'files', `${name}.txt`), f.at);
        if (got && got.read > 0) {
          f.at += got.read;
          f.el.append(f.decoder.decode(got.bytes, { stream: true }));
          f.el.scrollTop = f.el.scrollHeight;
        }
      } catch {
        // the node may be gone between two reads; the next read tells
      }
    }
  };
  const readFiles = async () => {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        await readOnce();
      } while (again);
    })();
    try {
      await reading;
    } finally {
      reading = null;
    }
  };
  await drawTask();
  await readFiles();
  const refresh = onEvents(async () => {
    await drawTask();
    await readFiles();
  });
  v.follow({ jobId, types: 'task.*' }, (e) => {
    if (e.data.data?.taskId === taskId) refresh();
  });
  // a running task's files grow with no event to tell: read what is new each second until it
  // ends; and its state again every five, should the job-service apply a report later than the
  // read that followed the report's event
  let ticks = 0;
  v.every(1000, () => {
    if (done) return;
    readFiles();
    if (++ticks % 5 === 0) drawTask();
  });
}

// ---- routing ----

async function route() {
  if (view) view.stop();
  view = new View();
  if (!client) {
    signIn();
    return;
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('who').textContent = client.account;
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll('#nav a[data-section]')) a.classList.toggle('here', a.dataset.section === (parts[0] || 'pools'));
  const v = view;
  try {
    if (parts[0] === 'jobs' && parts.length === 1) await jobsPage(v);
    else if (parts[0] === 'jobs' && parts.length === 2) await jobPage(v, parts[1]);
    else if (parts[0] === 'jobs' && parts[2] === 'tasks' && parts.length === 4) await taskPage(v, parts[1], parts[3]);
    else if (parts[0] === 'pools' && parts.length === 2) await poolPage(v, parts[1]);
    else if (parts[0] === 'pools' && parts[2] === 'nodes' && parts.length === 4) await nodePage(v, parts[1], parts[3]);
    else await poolsPage(v);
  } catch (e) {
    if (e instanceof BatchError && e.status === 403) {
      sessionStorage.removeItem(SESSION);
      client = null;
      signIn(e);
    } else {
      show(errorBox(e));
    }
  }
}

function start() {
  const saved = sessionStorage.getItem(SESSION);
  if (saved) {
    try {
      const { account, key } = JSON.parse(saved);
      client = new BatchClient(account, key);
    } catch {
      sessionStorage.removeItem(SESSION);
    }
  }
  document.getElementById('signout').addEventListener('click', () => {
    sessionStorage.removeItem(SESSION);
    client = null;
    route();
  });
  window.addEventListener('hashchange', route);
  route();
}

start();
