'use strict';
// The duty console: the live alarm list (server-sent events), the actions, the detail with its plot, the gateway board.
// Everything is built with textContent: alarm texts come from site files and gateways, never trusted as HTML.
(function () {
  const t = I18n.t;
  const state = { alarms: [], offset: 0, me: null, view: 'alarms', names: {}, sites: [], actionFor: null, detailId: null, gatewayTimer: 0 };
  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'title' || k === 'type') node.setAttribute(k, v === true ? '' : v);
      else node[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  const now = () => Date.now() + state.offset;

  function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const pad = (n) => String(n).padStart(2, '0');
    if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h`;
    return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
  }

  function number(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    const abs = Math.abs(v);
    return abs !== 0 && (abs >= 1e6 || abs < 1e-3) ? v.toExponential(3) : String(Math.round(v * 1000) / 1000);
  }

  function clock(iso) {
    return new Date(iso).toLocaleString(I18n.lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: Object.assign({ 'Accept': 'application/json' }, body === undefined ? {} : { 'Content-Type': 'application/json', 'X-Monitoring-Console': '1' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      location.assign('/console/login?ReturnUrl=%2Fconsole');
      throw new Error('signed out');
    }
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) throw new Error((data && (data.detail || data.title)) || String(response.status));
    return data;
  }

  // ---- the alarm list -------------------------------------------------------------------------------
  const canOperate = () => state.me && (state.me.role === 'duty-officer' || state.me.role === 'administrator');

  function render() {
    const rows = $('alarm-rows');
    rows.replaceChildren(...state.alarms.map(row));
    $('no-alarms').hidden = state.alarms.length > 0;
    $('alarm-table').hidden = state.alarms.length === 0;
    const open = state.alarms.filter((a) => a.state === 'unacknowledged' || a.state === 'returned-to-normal-unacknowledged').length;
    $('alarm-count').textContent = state.alarms.length ? `${open}/${state.alarms.length}` : '';
    $('alarm-count').title = `${open} ${t('unacknowledged')}`;
    tick();
    if (state.detailId && $('detail').open) fillDetail(state.detailId, false);
  }

  function row(a) {
    const condition = (a.condition && (a.condition[I18n.lang] || a.condition.en)) || a.ruleId;
    const flags = el('span', { class: 'flags' },
      el('span', { class: 'flag level', text: `${t('level')} ${a.level}` }),
      a.majorHazard ? el('span', { class: 'flag hazard', text: t('majorHazard') }) : null,
      a.chattering ? el('span', { class: 'flag', text: t('chattering') }) : null,
      a.historical ? el('span', { class: 'flag', text: t('historical') }) : null,
      a.simulated ? el('span', { class: 'flag sim', text: t('simulated') }) : null);
    const actions = el('td', { class: 'actions' });
    if (canOperate()) {
      if (!a.acknowledged && a.state !== 'shelved' && a.state !== 'out-of-service')
        actions.append(el('button', { type: 'button', class: 'primary', 'data-action': 'acknowledge', text: t('acknowledge') }));
      if (a.state !== 'shelved' && a.state !== 'out-of-service')
        actions.append(el('button', { type: 'button', 'data-action': 'shelve', text: t('shelve') }));
      actions.append(el('button', { type: 'button', 'data-action': 'comment', text: t('comment') }));
    }
    actions.append(el('button', { type: 'button', class: 'link', 'data-action': 'detail', text: t('details') }));
    let note = null;
    if (a.shelf) note = t('shelvedBy', a.shelf.by, clock(a.shelf.until), a.shelf.reason);
    else if (a.acknowledgedBy) note = t('acknowledgedBy', a.acknowledgedBy);
    return el('tr', { class: `alarm prio-${a.priority} st-${a.state}`, 'data-alarm-id': a.alarmId },
      el('td', { 'data-label': t('colPriority') }, el('span', { class: `prio prio-${a.priority}`, text: t(`priority.${a.priority}`) })),
      el('td', { 'data-label': t('colState') }, el('span', { class: `state st-${a.state}`, text: t(`state.${a.state}`) }),
        note ? el('div', { class: 'note', text: note }) : null,
        a.comment ? el('div', { class: 'note comment', text: `“${a.comment}”` }) : null),
      el('td', { 'data-label': t('colEnterprise') }, el('div', { text: state.names[a.enterprise] || a.enterprise }),
        el('div', { class: 'muted small', text: `${a.enterprise} · ${a.gateway}` })),
      el('td', { 'data-label': t('colEquipment'), text: a.equipment || a.tags.join(', ') }),
      el('td', { 'data-label': t('colCondition'), class: 'condition' }, el('div', { text: condition }), flags),
      el('td', { 'data-label': t('colClause'), class: 'clause', text: a.clause || '—' }),
      el('td', { 'data-label': t('colValue'), class: 'num' },
        el('span', { class: 'value', text: number(a.lastValue ?? a.value) }), ' / ', el('span', { text: number(a.limit) }),
        a.unit ? el('span', { class: 'muted', text: ` ${a.unit}` }) : null),
      el('td', { 'data-label': t('colSince'), class: 'num', 'data-since': a.raisedAt, title: clock(a.raisedAt) }),
      el('td', { 'data-label': t('colEscalation'), class: 'num escalation', 'data-escalation': a.state === 'shelved' || a.state === 'out-of-service' ? '' : (a.nextEscalationAt || '') }),
      actions);
  }

  // Once a second: the relative times, against the server's clock.
  function tick() {
    const n = now();
    document.querySelectorAll('[data-since]').forEach((c) => { c.textContent = t('ago', duration(n - Date.parse(c.dataset.since))); });
    document.querySelectorAll('[data-escalation]').forEach((c) => {
      if (!c.dataset.escalation) { c.textContent = '—'; c.classList.remove('soon', 'overdue'); return; }
      const left = Date.parse(c.dataset.escalation) - n;
      c.textContent = left <= 0 ? t('overdue') : duration(left);
      c.classList.toggle('soon', left > 0 && left < 60000);
      c.classList.toggle('overdue', left <= 0);
    });
  }

  function connect() {
    const source = new EventSource('/api/alarms/stream');
    const badge = $('connection');
    source.onopen = () => { badge.dataset.state = 'live'; badge.textContent = t('live'); };
    source.onerror = () => { badge.dataset.state = 'reconnecting'; badge.textContent = t('reconnecting'); };
    source.addEventListener('alarms', (e) => {
      const message = JSON.parse(e.data);
      state.offset = Date.parse(message.serverTime) - Date.now();
      state.alarms = message.alarms;
      badge.dataset.state = 'live';
      badge.textContent = t('live');
      render();
    });
  }

  // ---- actions ----------------------------------------------------------------------------------------
  function openAction(kind, alarm) {
    state.actionFor = { kind, alarm };
    $('action-title').textContent = t(kind);
    $('action-alarm').textContent = `${(alarm.condition && alarm.condition[I18n.lang]) || alarm.ruleId} · ${alarm.equipment || alarm.tags.join(', ')}`;
    $('action-reason-caption').textContent = t(kind === 'shelve' ? 'shelveReason' : kind === 'comment' ? 'commentText' : 'ackComment');
    $('action-text').value = '';
    $('action-text').required = kind !== 'acknowledge';
    $('action-duration-label').hidden = kind !== 'shelve';
    for (const o of $('action-duration').options) {
      const m = Number(o.value);
      o.textContent = m < 60 ? t('minutes', m) : t('hours', m / 60);
    }
    $('action-form-error').hidden = true;
    $('action').showModal();
    $('action-text').focus();
  }

  async function submitAction(e) {
    e.preventDefault();
    const { kind, alarm } = state.actionFor;
    const text = $('action-text').value.trim();
    const error = $('action-form-error');
    if (kind !== 'acknowledge' && !text) {
      error.textContent = t(kind === 'shelve' ? 'reasonRequired' : 'commentRequired');
      error.hidden = false;
      return;
    }
    const path = `/api/alarms/${alarm.alarmId}/${kind}`;
    const body = kind === 'shelve' ? { reason: text, minutes: Number($('action-duration').value), oneShot: false }
      : { comment: text || null };
    try {
      await api('POST', path, body);
      $('action').close();
      await refresh();
    } catch (err) {
      error.textContent = t('actionFailed', err.message);
      error.hidden = false;
    }
  }

  // After an action the list is read at once; the stream follows with the same content.
  async function refresh() {
    state.alarms = await api('GET', '/api/alarms');
    render();
  }

  // ---- detail ---------------------------------------------------------------------------------------------
  function openDetail(id) {
    state.detailId = id;
    fillDetail(id, true);
    if (!$('detail').open) $('detail').showModal();
  }

  function fillDetail(id, withPlot) {
    const a = state.alarms.find((x) => x.alarmId === id);
    if (!a) return;
    $('detail-title').textContent = (a.condition && (a.condition[I18n.lang] || a.condition.en)) || a.ruleId;
    const fields = [
      [t('colState'), el('span', { class: `state st-${a.state}`, text: t(`state.${a.state}`) })],
      [t('colPriority'), `${t(`priority.${a.priority}`)} · ${t('level')} ${a.level}${a.majorHazard ? ' · ' + t('majorHazard') : ''}`],
      [t('source'), `${state.names[a.enterprise] || ''} ${a.enterprise} · ${a.gateway}`],
      [t('colEquipment'), a.equipment || '—'],
      [t('tags'), a.tags.join(', ')],
      [t('colClause'), a.clause || '—'],
      [t('colValue'), `${number(a.value)} → ${number(a.lastValue)} / ${number(a.limit)} ${a.unit || ''}`],
      [t('raisedAt'), clock(a.raisedAt)],
      [t('rule'), `${a.ruleId} v${a.ruleVersion}`],
      [t('escalationLevel'), String(a.escalationLevel ?? 0)],
      [t('lastComment'), a.comment || '—'],
    ];
    $('detail-body').replaceChildren(el('dl', { class: 'fields' }, ...fields.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)])));
    if (withPlot) {
      loadPlot(a);
      loadAudit(a);
    }
  }

  async function loadAudit(a) {
    const list = $('detail-audit');
    try {
      const records = await api('GET', `/api/alarms/${a.alarmId}/audit`);
      list.replaceChildren(...(records.length ? records.map((r) => el('li', {},
        el('span', { class: 'muted', text: clock(r.at || r.timestamp) }), ' ', el('strong', { text: r.actor || r.user || '' }), ' ',
        el('span', { text: r.action || '' }), r.detail || r.comment || r.reason ? el('span', { text: ` — ${r.detail || r.comment || r.reason}` }) : null))
        : [el('li', { class: 'muted', text: t('noAudit') })]));
    } catch {
      list.replaceChildren(el('li', { class: 'muted', text: t('noAudit') }));
    }
  }

  async function loadPlot(a) {
    const target = $('plot');
    const note = $('plot-note');
    note.hidden = true;
    target.replaceChildren();
    const to = new Date(now() + 1000);
    const from = new Date(now() - 30 * 60 * 1000);
    let context = { context: [] };
    try { context = await api('GET', `/api/alarms/${a.alarmId}/context`); } catch { /* the alarm may have closed */ }
    const series = [];
    let storeFailed = false;
    for (const tag of a.tags) {
      const points = [];
      try {
        const q = new URLSearchParams({ enterprise: a.enterprise, gateway: a.gateway, point: tag, from: from.toISOString(), to: to.toISOString(), limit: '5000' });
        const data = await api('GET', `/api/series?${q}`);
        for (const r of data.readings) {
          const v = r.value ?? (r.state === null || r.state === undefined ? null : (r.state ? 1 : 0));
          if (v !== null) points.push({ t: Date.parse(r.timestamp), v });
        }
      } catch { storeFailed = true; }
      const ctx = (context.context || []).filter((c) => c.tag === tag && c.v !== null && c.v !== undefined)
        .map((c) => ({ t: c.ts, v: typeof c.v === 'boolean' ? (c.v ? 1 : 0) : c.v }));
      series.push({ name: tag, points, context: ctx });
    }
    if (storeFailed) { note.textContent = t('plotStoreUnavailable'); note.hidden = false; }
    const drawn = Plot.draw(target, series, { limit: a.limit, raisedAt: Date.parse(a.raisedAt), unit: a.unit, labels: { limit: t('limit'), raised: t('raised') } });
    if (!drawn) { note.textContent = t('plotNoData'); note.hidden = false; }
  }

  // ---- gateway board ------------------------------------------------------------------------------------
  // The gateway's clock against the server's (positive = ahead), as the service estimates it; whole seconds.
  function clockText(g) {
    if (g.clockOffsetSeconds == null) return '—';
    const s = Math.round(g.clockOffsetSeconds);
    return s === 0 ? '0 s' : t(s > 0 ? 'clockAhead' : 'clockBehind', Math.abs(s));
  }

  async function loadGateways() {
    let gateways = [];
    try { gateways = await api('GET', '/api/gateways'); } catch { return; }
    const byKey = new Map(gateways.map((g) => [`${g.enterprise}/${g.gateway}`, g]));
    const enterprises = new Map();
    for (const site of state.sites) {
      const list = enterprises.get(site.enterprise) || [];
      for (const g of site.gateways) if (!list.some((x) => x.gateway === g.id)) list.push(byKey.get(`${site.enterprise}/${g.id}`) || { enterprise: site.enterprise, gateway: g.id, status: null, never: true });
      enterprises.set(site.enterprise, list);
    }
    for (const g of gateways) {
      const list = enterprises.get(g.enterprise) || [];
      if (!list.some((x) => x.gateway === g.gateway)) list.push(g);
      enterprises.set(g.enterprise, list);
    }
    const all = [...enterprises.values()].flat();
    $('gateway-summary').textContent = t('enterprises', enterprises.size, all.length, all.filter((g) => g.status === 'online').length);
    const n = now();
    const boards = [...enterprises.entries()].map(([enterprise, list]) => el('section', { class: 'enterprise', 'data-enterprise': enterprise },
      el('h2', {}, el('span', { text: state.names[enterprise] || enterprise }), ' ', el('span', { class: 'muted small', text: enterprise })),
      el('table', { class: 'gateways' },
        el('thead', {}, el('tr', {}, ...['colGateway', 'colStatus', 'colLastSeen', 'colMessages', 'colGaps', 'colDuplicates', 'colRestarts', 'colRejects', 'colClock', 'colFirmware'].map((k) => el('th', { text: t(k) })))),
        el('tbody', {}, ...list.map((g) => {
          // The registry lists every configured gateway; one that never sent a message has no status and no count.
          const never = g.never || (!g.status && !g.messages);
          const status = never ? 'never' : (g.status || 'unknown');
          // Rejections come per reason; the board shows the total and names the reasons on hover.
          const rejected = Object.values(g.rejections || {}).reduce((sum, n) => sum + n, 0);
          return el('tr', { class: `gw gw-${status}`, 'data-gateway': g.gateway },
            el('td', { 'data-label': t('colGateway') }, el('strong', { text: g.gateway }), g.simulated ? el('span', { class: 'flag sim', text: t('simulated') }) : null),
            el('td', { 'data-label': t('colStatus') }, el('span', { class: `gw-status gw-${status}`, text: t(`gw.${status}`) })),
            el('td', { 'data-label': t('colLastSeen'), class: 'num', title: g.lastSeenAt ? clock(g.lastSeenAt) : '', text: !never && g.lastSeenAt ? t('ago', duration(n - Date.parse(g.lastSeenAt))) : '—' }),
            el('td', { 'data-label': t('colMessages'), class: 'num', text: never ? '—' : String(g.messages) }),
            el('td', { 'data-label': t('colGaps'), class: `num gaps ${g.lostMessages ? 'bad' : ''}`, text: never ? '—' : String(g.lostMessages) }),
            el('td', { 'data-label': t('colDuplicates'), class: 'num', text: never ? '—' : String(g.duplicateMessages) }),
            el('td', { 'data-label': t('colRestarts'), class: 'num', text: never ? '—' : String(g.sequenceRestarts) }),
            el('td', { 'data-label': t('colRejects'), class: `num rejects ${rejected ? 'bad' : ''}`, title: Object.entries(g.rejections || {}).map(([k, v]) => `${k}: ${v}`).join('\n'), text: never ? '—' : String(rejected) }),
            el('td', { 'data-label': t('colClock'), class: `num clock ${g.clockSkewed ? 'bad' : ''}`, title: g.clockSkewed ? t('clockSkewed') : (g.clockOffsetSeconds == null && !never ? t('clockUnknown') : ''), text: clockText(g) }),
            el('td', { 'data-label': t('colFirmware'), text: g.firmware || '—' }));
        })))));
    $('gateway-board').replaceChildren(...boards);
  }

  function show(view) {
    state.view = view;
    $('view-alarms').hidden = view !== 'alarms';
    $('view-gateways').hidden = view !== 'gateways';
    document.querySelectorAll('[data-view]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.view === view)));
    clearInterval(state.gatewayTimer);
    if (view === 'gateways') {
      loadGateways();
      state.gatewayTimer = setInterval(loadGateways, 3000);
    }
  }

  // ---- start ----------------------------------------------------------------------------------------------
  async function start() {
    I18n.apply();
    state.me = await api('GET', '/console/me');
    $('who').textContent = state.me.displayName + (canOperate() ? '' : ` (${t('viewer')})`);
    try {
      const config = await api('GET', '/api/config');
      state.sites = config.sites || [];
      for (const s of state.sites) state.names[s.enterprise] = s.name;
    } catch { /* names are a nicety */ }

    $('alarm-rows').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-action]');
      if (!button) return;
      const alarm = state.alarms.find((a) => a.alarmId === button.closest('tr').dataset.alarmId);
      if (!alarm) return;
      if (button.dataset.action === 'detail') openDetail(alarm.alarmId);
      else openAction(button.dataset.action, alarm);
    });
    document.querySelectorAll('[data-view]').forEach((b) => b.addEventListener('click', () => show(b.dataset.view)));
    $('action-form').addEventListener('submit', submitAction);
    $('action-cancel').addEventListener('click', () => $('action').close());
    $('detail-close').addEventListener('click', () => { state.detailId = null; $('detail').close(); });
    $('logout').addEventListener('click', async () => {
      await fetch('/console/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Monitoring-Console': '1' } });
      location.assign('/console/login');
    });
    I18n.onChange(() => {
      render();
      if (state.view === 'gateways') loadGateways();
      const badge = $('connection');
      badge.textContent = t(badge.dataset.state === 'live' ? 'live' : 'reconnecting');
      const a = state.alarms.find((x) => x.alarmId === state.detailId);
      if (a && $('detail').open) { fillDetail(a.alarmId, false); }
    });
    setInterval(tick, 1000);
    connect();
  }

  start();
})();
