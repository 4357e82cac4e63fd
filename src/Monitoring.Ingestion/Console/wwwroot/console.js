'use strict';
// The duty console: the live alarm list (server-sent events), the disposal loop (签收, 处置/反馈, 核查, 销号), the
// major-hazard register, the alarm history, the detail with its plot and trail, the gateway board.
// Everything is built with textContent: alarm texts come from site files and gateways, never trusted as HTML.
(function () {
  const t = I18n.t;
  const state = {
    alarms: [], offset: 0, me: null, view: 'alarms', names: {}, sites: [], causes: [],
    action: null, detail: null, viewTimer: 0, viewJson: '',
    disposals: [], hazards: [], board: null, history: { items: [], next: null },
  };
  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'title' || k === 'type' || k === 'for') node.setAttribute(k, v === true ? '' : v);
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
    return iso ? new Date(iso).toLocaleString(I18n.lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false }) : '—';
  }

  // The alarm's or hazard's condition text in the page's language.
  const conditionText = (x) => (x.condition && (x.condition[I18n.lang] || x.condition.en)) || x.ruleId || x.key || '';
  const enterpriseName = (code) => state.names[code] || code;
  const causeLabel = (code) => { const c = state.causes.find((x) => x.code === code); return c ? (I18n.lang === 'zh' ? c.zh : c.en) : code; };

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

  // The enterprise works the alarm (duty officer); a supervising officer verifies and closes out (supervisor).
  const role = () => (state.me && state.me.role) || '';
  const canOperate = () => role() === 'duty-officer' || role() === 'administrator';
  const canVerify = () => role() === 'supervisor' || role() === 'administrator';

  function button(action, label, primary) {
    return el('button', { type: 'button', class: primary ? 'primary' : null, 'data-action': action, text: label });
  }

  // ---- the alarm list -------------------------------------------------------------------------------
  function render() {
    const rows = $('alarm-rows');
    rows.replaceChildren(...state.alarms.map(row));
    $('no-alarms').hidden = state.alarms.length > 0;
    $('alarm-table').hidden = state.alarms.length === 0;
    const open = state.alarms.filter((a) => a.state === 'unacknowledged' || a.state === 'returned-to-normal-unacknowledged').length;
    $('alarm-count').textContent = state.alarms.length ? `${open}/${state.alarms.length}` : '';
    $('alarm-count').title = `${open} ${t('unacknowledged')}`;
    tick();
    if (state.detail && state.detail.kind === 'alarm' && $('detail').open) fillAlarmFields();
  }

  function flags(a) {
    return el('span', { class: 'flags' },
      a.level ? el('span', { class: 'flag level', text: `${t('level')} ${a.level}` }) : null,
      a.majorHazard ? el('span', { class: 'flag hazard', text: t('majorHazard') }) : null,
      a.chattering ? el('span', { class: 'flag', text: t('chattering') }) : null,
      a.historical ? el('span', { class: 'flag', text: t('historical') }) : null,
      a.simulated ? el('span', { class: 'flag sim', text: t('simulated') }) : null);
  }

  function enterpriseCell(x) {
    return el('td', { 'data-label': t('colEnterprise') }, el('div', { text: enterpriseName(x.enterprise) }),
      el('div', { class: 'muted small', text: `${x.enterprise} · ${x.gateway}` }));
  }

  function row(a) {
    const actions = el('td', { class: 'actions' });
    const inService = a.state !== 'shelved' && a.state !== 'out-of-service';
    if (canOperate()) {
      // With the disposal loop on, the acknowledgement is the sign-for (签收).
      if (!a.acknowledged && inService) actions.append(button('acknowledge', t(a.disposal ? 'signFor' : 'acknowledge'), true));
      if (a.disposal && a.disposal.step === 'dispose') actions.append(button('dispose', t('dispose')));
      if (inService) actions.append(button('shelve', t('shelve')));
      actions.append(button('comment', t('comment')));
    }
    actions.append(el('button', { type: 'button', class: 'link', 'data-action': 'detail', text: t('details') }));
    let note = null;
    if (a.shelf) note = t('shelvedBy', a.shelf.by, clock(a.shelf.until), a.shelf.reason);
    else if (a.acknowledgedBy) note = t('acknowledgedBy', a.acknowledgedBy);
    return el('tr', { class: `alarm prio-${a.priority} st-${a.state}`, 'data-alarm-id': a.alarmId },
      el('td', { 'data-label': t('colPriority') }, el('span', { class: `prio prio-${a.priority}`, text: t(`priority.${a.priority}`) })),
      el('td', { 'data-label': t('colState') }, el('span', { class: `state st-${a.state}`, text: t(`state.${a.state}`) }),
        note ? el('div', { class: 'note', text: note }) : null,
        a.disposal && a.disposal.step !== 'sign-for' ? el('div', { class: 'note' }, el('span', { class: `step step-${a.disposal.step}`, text: t(`step.${a.disposal.step}`) })) : null,
        a.comment ? el('div', { class: 'note comment', text: `“${a.comment}”` }) : null),
      enterpriseCell(a),
      el('td', { 'data-label': t('colEquipment'), text: a.equipment || a.tags.join(', ') }),
      el('td', { 'data-label': t('colCondition'), class: 'condition' }, el('div', { text: conditionText(a) }), flags(a)),
      el('td', { 'data-label': t('colClause'), class: 'clause', text: a.clause || '—' }),
      el('td', { 'data-label': t('colValue'), class: 'num' },
        el('span', { class: 'value', text: number(a.lastValue ?? a.value) }), ' / ', el('span', { text: number(a.limit) }),
        a.unit ? el('span', { class: 'muted', text: ` ${a.unit}` }) : null),
      el('td', { 'data-label': t('colSince'), class: 'num', 'data-since': a.raisedAt, title: clock(a.raisedAt) }),
      el('td', { 'data-label': t('colEscalation'), class: 'num escalation', 'data-deadline': inService ? (a.nextEscalationAt || '') : '' }),
      actions);
  }

  // Once a second: the relative times and the countdowns, against the server's clock.
  function tick() {
    const n = now();
    document.querySelectorAll('[data-since]').forEach((c) => { c.textContent = t('ago', duration(n - Date.parse(c.dataset.since))); });
    document.querySelectorAll('[data-age]').forEach((c) => { c.textContent = duration(n - Date.parse(c.dataset.age)); });
    document.querySelectorAll('[data-deadline]').forEach((c) => {
      if (!c.dataset.deadline) { c.textContent = '—'; c.classList.remove('soon', 'overdue'); return; }
      const left = Date.parse(c.dataset.deadline) - n;
      c.textContent = left <= 0 ? t('overdueFor', duration(-left)) : duration(left);
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
  // One table of every action: the form's fields and the request it sends. A field is
  // { name, label, kind: text | textarea | select | date | lines, required, requiredMessage, options, value }.
  const alarmPath = (a, verb) => `/api/alarms/${a.alarmId}/${verb}`;
  const hazardPath = (h, verb) => `/api/hazards/${h.hazardId}/${verb}`;
  const lines = (text) => (text || '').split('\n').map((s) => s.trim()).filter((s) => s);
  const inDays = (days) => new Date(now() + days * 86400000).toISOString().slice(0, 10);
  const comment = (label) => ({ name: 'text', label, kind: 'textarea' });
  const reason = () => ({ name: 'text', label: 'returnReason', kind: 'textarea', required: true, requiredMessage: 'reasonRequired' });
  const shelveMinutes = [15, 60, 240, 480, 1440];

  const ACTIONS = {
    acknowledge: { fields: () => [comment('ackComment')], send: (a, v) => [alarmPath(a, 'acknowledge'), { comment: v.text || null }] },
    signFor: { fields: () => [comment('ackComment')], send: (a, v) => [alarmPath(a, 'acknowledge'), { comment: v.text || null }] },
    shelve: {
      fields: () => [
        { name: 'text', label: 'shelveReason', kind: 'textarea', required: true, requiredMessage: 'reasonRequired' },
        { name: 'duration', label: 'shelveFor', kind: 'select', value: '60', options: shelveMinutes.map((m) => [String(m), m < 60 ? t('minutes', m) : t('hours', m / 60)]) }],
      send: (a, v) => [alarmPath(a, 'shelve'), { reason: v.text, minutes: Number(v.duration), oneShot: false }],
    },
    comment: { fields: () => [{ name: 'text', label: 'commentText', kind: 'textarea', required: true, requiredMessage: 'commentRequired' }], send: (a, v) => [alarmPath(a, 'comment'), { comment: v.text }] },
    // 处置/反馈: a cause from the configured list (消警原因), what was found, what was done, evidence references.
    dispose: {
      fields: () => [
        { name: 'cause', label: 'cause', kind: 'select', required: true, options: [['', t('chooseCause')], ...state.causes.map((c) => [c.code, I18n.lang === 'zh' ? c.zh : c.en])] },
        { name: 'causeText', label: 'causeText', kind: 'text', requiredWhen: (v) => (state.causes.find((c) => c.code === v.cause) || {}).requiresText, requiredMessage: 'causeTextRequired' },
        { name: 'description', label: 'description', kind: 'textarea', required: true },
        { name: 'measures', label: 'measures', kind: 'textarea', required: true },
        { name: 'evidence', label: 'evidence', kind: 'lines' }],
      send: (a, v) => [alarmPath(a, 'dispose'), { cause: v.cause, causeText: v.causeText || null, description: v.description, measures: v.measures, evidence: lines(v.evidence) }],
    },
    // 核查: a supervising officer approves the report or returns it with a reason.
    verify: { fields: () => [comment('verifyComment')], send: (a, v) => [alarmPath(a, 'verify'), { comment: v.text || null }] },
    return: { fields: () => [reason()], send: (a, v) => [alarmPath(a, 'return'), { reason: v.text }] },
    // The major-hazard record: the enterprise plans (措施, 责任人, 期限) and rectifies; the supervisor verifies and closes out.
    plan: {
      fields: () => [
        { name: 'measures', label: 'planMeasures', kind: 'textarea', required: true },
        { name: 'owner', label: 'owner', kind: 'text', required: true },
        { name: 'rectifyBy', label: 'rectifyBy', kind: 'date', required: true, value: inDays(30) }],
      // The last second of the chosen day, in the officer's time zone.
      send: (h, v) => [hazardPath(h, 'plan'), { measures: v.measures, owner: v.owner, rectifyBy: new Date(`${v.rectifyBy}T23:59:59`).toISOString() }],
    },
    rectify: {
      fields: () => [
        { name: 'description', label: 'rectifyDescription', kind: 'textarea', required: true },
        { name: 'evidence', label: 'evidence', kind: 'lines', required: true, requiredMessage: 'evidenceRequired' }],
      send: (h, v) => [hazardPath(h, 'rectify'), { description: v.description, evidence: lines(v.evidence) }],
    },
    hazardReturn: { fields: () => [reason()], send: (h, v) => [hazardPath(h, 'return'), { reason: v.text }] },
    hazardVerify: { fields: () => [comment('verifyComment')], send: (h, v) => [hazardPath(h, 'verify'), { comment: v.text || null }] },
    closeOut: { fields: () => [comment('closeOutComment')], send: (h, v) => [hazardPath(h, 'close-out'), { comment: v.text || null }] },
  };

  function fieldControl(f) {
    const id = `action-${f.name}`;
    let control;
    if (f.kind === 'select') {
      control = el('select', { id }, ...f.options.map(([value, label]) => el('option', { value, text: label })));
    } else if (f.kind === 'textarea' || f.kind === 'lines') {
      control = el('textarea', { id, rows: f.kind === 'lines' ? 2 : 3, placeholder: f.kind === 'lines' ? t('evidenceHint') : '' });
    } else {
      control = el('input', { id, type: f.kind === 'date' ? 'date' : 'text' });
    }
    if (f.value !== undefined) control.value = f.value;
    return el('label', { for: id, 'data-field': f.name },
      el('span', { text: t(f.label) + (f.required ? ' *' : '') }), control);
  }

  function openAction(kind, target) {
    const fields = ACTIONS[kind].fields();
    state.action = { kind, target, fields };
    $('action-title').textContent = t(kind);
    $('action-alarm').textContent = `${conditionText(target)} · ${target.equipment || (target.tags || []).join(', ')} · ${enterpriseName(target.enterprise)}`;
    $('action-fields').replaceChildren(...fields.map(fieldControl));
    $('action-form-error').hidden = true;
    $('action').showModal();
    $('action-fields').querySelector('select, textarea, input').focus();
  }

  async function submitAction(e) {
    e.preventDefault();
    const { kind, target, fields } = state.action;
    const values = {};
    for (const f of fields) values[f.name] = $(`action-${f.name}`).value.trim();
    const error = $('action-form-error');
    const missing = fields.find((f) => (f.required || (f.requiredWhen && f.requiredWhen(values))) && !values[f.name]);
    if (missing) {
      error.textContent = missing.requiredMessage ? t(missing.requiredMessage) : t('required', t(missing.label));
      error.hidden = false;
      $(`action-${missing.name}`).focus();
      return;
    }
    const [path, body] = ACTIONS[kind].send(target, values);
    try {
      await api('POST', path, body);
      $('action').close();
      await afterChange();
    } catch (err) {
      error.textContent = t('actionFailed', err.message);
      error.hidden = false;
    }
  }

  // After an action the lists are read at once; the stream follows with the same content.
  async function afterChange() {
    state.alarms = await api('GET', '/api/alarms');
    render();
    state.viewJson = '';
    await Promise.all([loadView(), loadCounts()]);
    if (state.detail && $('detail').open) openDetail(state.detail.kind, state.detail.id);
  }

  // Which action a clicked button starts, on which alarm or hazard.
  function onRowClick(list, idKey, detailKind) {
    return (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b) return;
      const id = b.closest('tr').dataset[idKey];
      const target = list().find((x) => (x.alarmId || x.hazardId) === id);
      if (b.dataset.action === 'detail') openDetail(detailKind, id);
      else if (target) openAction(b.dataset.action, target);
    };
  }

  // ---- disposal: the open loops, most urgent first -------------------------------------------------
  function reportCell(d) {
    const cell = el('td', { 'data-label': t('colReport'), class: 'report' });
    if (d.lastReturn && d.step === 'dispose') cell.append(el('div', { class: 'note returned', text: t('returnedBy', d.lastReturn.by, d.lastReturn.reason) }));
    if (!d.report) { if (!cell.childNodes.length) cell.append('—'); return cell; }
    const r = d.report;
    cell.append(
      el('div', {}, el('strong', { text: causeLabel(r.cause) }), r.causeText ? ` — ${r.causeText}` : ''),
      el('div', { class: 'small', text: r.description }),
      el('div', { class: 'small muted', text: `${t('measures')}: ${r.measures}` }),
      el('div', { class: 'small muted', text: t('reportedBy', r.by, clock(r.at), (r.evidence || []).length) }));
    return cell;
  }

  function disposalRow(a) {
    const d = a.disposal;
    const actions = el('td', { class: 'actions' });
    if (canOperate() && d.step === 'sign-for') actions.append(button('signFor', t('signFor'), true));
    if (canOperate() && d.step === 'dispose') actions.append(button('dispose', t('dispose'), true));
    if (canVerify() && d.step === 'verify') actions.append(button('verify', t('verify'), true), button('return', t('return')));
    if (d.step === 'closing') actions.append(el('span', { class: 'muted small', text: t('closingNote') }));
    actions.append(el('button', { type: 'button', class: 'link', 'data-action': 'detail', text: t('details') }));
    return el('tr', { class: `alarm disposal prio-${a.priority} ${d.overdue ? 'is-overdue' : ''}`, 'data-alarm-id': a.alarmId, 'data-step': d.step },
      el('td', { 'data-label': t('colPriority') }, el('span', { class: `prio prio-${a.priority}`, text: t(`priority.${a.priority}`) })),
      el('td', { 'data-label': t('colStep') }, el('span', { class: `step step-${d.step}`, text: t(`step.${d.step}`) }),
        d.attempts > 1 ? el('div', { class: 'note', text: t('attempt', d.attempts) }) : null),
      enterpriseCell(a),
      el('td', { 'data-label': t('colCondition'), class: 'condition' }, el('div', { text: conditionText(a) }),
        el('div', { class: 'muted small', text: a.equipment || a.tags.join(', ') }), flags(a)),
      el('td', { 'data-label': t('colSince'), class: 'num', 'data-since': a.raisedAt, title: clock(a.raisedAt) }),
      el('td', { 'data-label': t('colDue'), class: 'num due', 'data-deadline': d.dueAt || '', title: d.dueAt ? clock(d.dueAt) : '' }),
      reportCell(d),
      actions);
  }

  async function loadDisposals() {
    const q = new URLSearchParams();
    if ($('disposal-step').value) q.set('step', $('disposal-step').value);
    if ($('disposal-overdue').checked) q.set('overdue', 'true');
    const list = await api('GET', `/api/disposals?${q}`);
    if (!changed(list)) return;
    state.disposals = list;
    $('disposal-rows').replaceChildren(...list.map(disposalRow));
    $('disposal-table').hidden = list.length === 0;
    $('no-disposals').hidden = list.length > 0;
    $('disposal-summary').textContent = t('disposalSummary', list.length, list.filter((a) => a.disposal.overdue).length);
    tick();
  }

  // ---- the major-hazard register (重大事故隐患): target zero, per enterprise -------------------------------------
  function hazardRow(h) {
    const actions = el('td', { class: 'actions' });
    if (canOperate() && h.state === 'open') actions.append(button('plan', t('plan'), true));
    if (canOperate() && h.state === 'planned') actions.append(button('rectify', t('rectify'), true));
    if (canVerify() && h.state === 'rectified') actions.append(button('hazardVerify', t('hazardVerify'), true), button('hazardReturn', t('hazardReturn')));
    if (canVerify() && h.state === 'verified') actions.append(button('closeOut', t('closeOut'), true));
    actions.append(el('button', { type: 'button', class: 'link', 'data-action': 'detail', text: t('details') }));
    const plan = el('td', { 'data-label': t('colPlan'), class: 'report' });
    if (h.lastReturn && h.state === 'planned') plan.append(el('div', { class: 'note returned', text: t('returnedBy', h.lastReturn.by, h.lastReturn.reason) }));
    if (h.plan) plan.append(el('div', { class: 'small', text: h.plan.measures }),
      el('div', { class: 'small muted', text: t('planOwner', h.plan.owner, clock(h.plan.rectifyBy)) }));
    if (h.rectification) plan.append(el('div', { class: 'small', text: `${t('rectified')}: ${h.rectification.description}` }));
    if (!plan.childNodes.length) plan.append('—');
    return el('tr', { class: `hazard ${h.overdue ? 'is-overdue' : ''}`, 'data-hazard-id': h.hazardId, 'data-state': h.state },
      el('td', { 'data-label': t('colState') }, el('span', { class: `hz-state hz-${h.state}`, text: t(`hz.${h.state}`) }),
        h.recurrences ? el('div', { class: 'note', text: t('recurrences', h.recurrences) }) : null),
      enterpriseCell(h),
      el('td', { 'data-label': t('colCondition'), class: 'condition' }, el('div', { text: conditionText(h) }),
        el('div', { class: 'muted small', text: h.equipment || '' }), flags({ majorHazard: true, simulated: h.simulated })),
      el('td', { 'data-label': t('colClause'), class: 'clause', text: h.clause || '—' }),
      el('td', { 'data-label': t('colAge'), class: 'num', 'data-age': h.open ? h.openedAt : '', text: h.open ? '' : '—' }),
      el('td', { 'data-label': t('colDue'), class: 'num', title: h.dueAt ? clock(h.dueAt) : '' },
        el('span', { class: 'due', 'data-deadline': h.open ? (h.dueAt || '') : '' }),
        h.waitingFor ? el('div', { class: 'muted small', text: t(`wait.${h.waitingFor}`) }) : null),
      plan,
      actions);
  }

  function boardCard(e) {
    const states = Object.entries(e.byState || {}).map(([s, n]) => `${t(`hz.${s}`)} ${n}`).join(' · ');
    return el('section', { class: `hazard-card ${e.open ? 'has-open' : 'zero'} ${e.overdue ? 'has-overdue' : ''}`, 'data-enterprise': e.enterprise },
      el('div', { class: 'card-name', text: enterpriseName(e.enterprise) }),
      el('div', { class: 'muted small', text: e.enterprise }),
      el('div', { class: 'card-count' }, el('span', { class: 'open-count', text: String(e.open) }), ' ', el('span', { class: 'small', text: t('openHazards') })),
      el('div', { class: 'small' }, e.overdue ? el('span', { class: 'bad', text: t('overdueCount', e.overdue) }) : null,
        states ? el('span', { class: 'muted', text: ` ${states}` }) : null),
      el('div', { class: 'small muted', text: t('closedCount', e.closed) + (e.oldestOpenSeconds != null ? ` · ${t('oldestOpen', duration(e.oldestOpenSeconds * 1000))}` : '') }));
  }

  async function loadHazards() {
    const q = $('hazard-open').checked ? '?open=true' : '';
    $('hazard-csv').href = `/api/hazards${q ? q + '&' : '?'}format=csv`;
    const [list, board] = await Promise.all([api('GET', `/api/hazards${q}`), api('GET', '/api/hazards/board')]);
    // The ages tick on the page; only a real change rebuilds it.
    if (!changed({ list, board }, (k, v) => (k === 'ageSeconds' || k === 'oldestOpenSeconds' ? undefined : v))) return;
    state.hazards = list;
    state.board = board;
    const zero = board.open === 0;
    $('hazard-summary').replaceChildren(
      el('span', { class: `target ${zero ? 'zero' : 'open'}`, text: zero ? t('targetZeroReached') : t('targetZero') }),
      el('span', { class: 'big', text: String(board.open) }), ' ', el('span', { text: t('openHazards') }),
      ...(board.overdue ? [el('span', { class: 'bad', text: ` · ${t('overdueCount', board.overdue)}` })] : []));
    $('hazard-board').replaceChildren(...board.enterprises.map(boardCard));
    $('hazard-rows').replaceChildren(...list.map(hazardRow));
    $('hazard-table').hidden = list.length === 0;
    $('no-hazards').hidden = list.length > 0;
    tick();
  }

  // ---- the alarm history: every episode kept, searchable, CSV ------------------------------------------
  function historyQuery() {
    const q = new URLSearchParams();
    const time = (v) => (v ? new Date(v).toISOString() : '');
    const put = (k, v) => { if (v) q.set(k, v); };
    put('from', time($('history-from').value));
    put('to', time($('history-to').value));
    put('enterprise', $('history-enterprise').value);
    put('priority', $('history-priority').value);
    put('state', $('history-state').value);
    if ($('history-major').checked) q.set('majorHazard', 'true');
    return q;
  }

  function historyRow(item) {
    const a = item.alarm;
    const d = a.disposal;
    return el('tr', { class: `alarm past prio-${a.priority} ${item.closed ? 'closed' : 'open'}`, 'data-alarm-id': a.alarmId },
      el('td', { 'data-label': t('colPriority') }, el('span', { class: `prio prio-${a.priority}`, text: t(`priority.${a.priority}`) })),
      el('td', { 'data-label': t('colRaisedAt'), class: 'num', text: clock(a.raisedAt) }),
      enterpriseCell(a),
      el('td', { 'data-label': t('colCondition'), class: 'condition' }, el('div', { text: conditionText(a) }),
        el('div', { class: 'muted small', text: a.equipment || a.tags.join(', ') }), flags(a)),
      el('td', { 'data-label': t('colValue'), class: 'num' }, el('span', { class: 'value', text: number(a.value) }), ' / ', number(a.limit), a.unit ? ` ${a.unit}` : ''),
      el('td', { 'data-label': t('colStep') }, d ? el('span', { class: `step step-${d.step}`, text: t(`step.${d.step}`) }) : el('span', { class: `state st-${a.state}`, text: t(`state.${a.state}`) })),
      el('td', { 'data-label': t('colClosedAt'), class: 'num closed-at', text: item.closed ? clock(item.closedAt) : t('history.open') }),
      el('td', { class: 'actions' }, el('button', { type: 'button', class: 'link', 'data-action': 'detail', text: t('details') })));
  }

  async function searchHistory(more) {
    const q = historyQuery();
    $('history-csv').href = `/api/alarms/history?${q}&format=csv`;
    if (more) q.set('offset', String(state.history.next));
    const error = $('history-error');
    error.hidden = true;
    let page;
    try { page = await api('GET', `/api/alarms/history?${q}`); } catch (err) {
      error.textContent = t('actionFailed', err.message);
      error.hidden = false;
      return;
    }
    state.history = { items: more ? state.history.items.concat(page.items) : page.items, next: page.nextOffset };
    $('history-rows').replaceChildren(...state.history.items.map(historyRow));
    $('history-table').hidden = state.history.items.length === 0;
    $('no-history').hidden = state.history.items.length > 0;
    $('history-more').hidden = page.nextOffset == null;
  }

  // ---- detail: a live or past alarm (fields, plot, event trail, operator actions) or a hazard record ----------
  const detailOf = (kind, id) => ({ kind, id, alarm: null, history: null, hazard: null });

  async function openDetail(kind, id) {
    const detail = detailOf(kind, id);
    state.detail = detail;
    $('detail-title').textContent = '…';
    $('detail-body').replaceChildren();
    $('detail-trail').replaceChildren();
    $('detail-audit').replaceChildren();
    $('plot').replaceChildren();
    $('plot-note').hidden = true;
    $('detail-plot').hidden = kind !== 'alarm';
    if (!$('detail').open) $('detail').showModal();
    try {
      if (kind === 'hazard') {
        const found = await api('GET', `/api/hazards/${id}`);
        detail.hazard = found.hazard;
        fillTrail(found.events, found.audit);
        fillHazardFields();
        return;
      }
      // The journal keeps every episode, open or closed, with its trail; a just-raised alarm may not be there yet.
      try { detail.history = await api('GET', `/api/alarms/history/${id}`); } catch { detail.history = null; }
      detail.alarm = liveAlarm(id) || (detail.history && detail.history.alarm.alarm);
      if (!detail.alarm) return;
      fillAlarmFields();
      fillTrail(detail.history ? detail.history.events : [], detail.history ? detail.history.audit : null);
      await loadPlot(detail);
    } catch (err) {
      $('detail-body').replaceChildren(el('p', { class: 'error', text: t('actionFailed', err.message) }));
    }
  }

  const liveAlarm = (id) => state.alarms.find((x) => x.alarmId === id) || state.disposals.find((x) => x.alarmId === id);

  function fields(list) {
    return el('dl', { class: 'fields' }, ...list.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
  }

  function fillAlarmFields() {
    const detail = state.detail;
    const a = liveAlarm(detail.id) || detail.alarm;
    if (!a) return;
    detail.alarm = a;
    const closed = detail.history && detail.history.alarm.closed && !liveAlarm(detail.id);
    $('detail-title').textContent = conditionText(a);
    const d = a.disposal;
    const r = d && d.report;
    $('detail-body').replaceChildren(fields([
      [t('colState'), closed ? el('span', { class: 'state st-closed', text: t('history.closed') }) : el('span', { class: `state st-${a.state}`, text: t(`state.${a.state}`) })],
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
      d ? [t('colStep'), el('span', { class: `step step-${d.step}`, text: t(`step.${d.step}`) })] : null,
      d && d.dueAt ? [t('colDue'), clock(d.dueAt)] : null,
      r ? [t('cause'), `${causeLabel(r.cause)}${r.causeText ? ' — ' + r.causeText : ''}`] : null,
      r ? [t('description'), r.description] : null,
      r ? [t('measures'), r.measures] : null,
      r && (r.evidence || []).length ? [t('evidenceRefs'), r.evidence.join(', ')] : null,
      r ? [t('reported'), t('reportedBy', r.by, clock(r.at), (r.evidence || []).length)] : null,
      d && d.verifiedBy ? [t('verified'), `${d.verifiedBy} · ${clock(d.verifiedAt)}${d.verifyComment ? ' — ' + d.verifyComment : ''}`] : null,
      d && d.closedOutBy ? [t('closedOut'), `${d.closedOutBy} · ${clock(d.closedOutAt)}`] : null,
      closed ? [t('colClosedAt'), clock(detail.history.alarm.closedAt)] : null,
    ].filter((x) => x)));
  }

  function fillHazardFields() {
    const h = state.detail.hazard;
    $('detail-title').textContent = `${t('majorHazard')}: ${conditionText(h)}`;
    $('detail-body').replaceChildren(fields([
      [t('colState'), el('span', { class: `hz-state hz-${h.state}`, text: t(`hz.${h.state}`) })],
      [t('source'), `${state.names[h.enterprise] || ''} ${h.enterprise} · ${h.gateway}`],
      [t('colEquipment'), h.equipment || '—'],
      [t('colClause'), h.clause || '—'],
      [t('openedAt'), clock(h.openedAt)],
      h.firstOpenedAt !== h.openedAt ? [t('firstOpenedAt'), clock(h.firstOpenedAt)] : null,
      [t('alarmsOfRecord'), `${h.alarmCount}${h.recurrences ? ' · ' + t('recurrences', h.recurrences) : ''}`],
      h.dueAt ? [t('colDue'), `${clock(h.dueAt)}${h.waitingFor ? ' · ' + t(`wait.${h.waitingFor}`) : ''}`] : null,
      h.plan ? [t('planMeasures'), h.plan.measures] : null,
      h.plan ? [t('owner'), t('planOwner', h.plan.owner, clock(h.plan.rectifyBy))] : null,
      h.rectification ? [t('rectified'), `${h.rectification.description} (${h.rectification.evidence.join(', ')}) · ${h.rectification.by}`] : null,
      h.lastReturn ? [t('lastReturn'), t('returnedBy', h.lastReturn.by, h.lastReturn.reason)] : null,
      h.verifiedBy ? [t('verified'), `${h.verifiedBy} · ${clock(h.verifiedAt)}${h.verifyComment ? ' — ' + h.verifyComment : ''}`] : null,
      h.closedOutBy ? [t('closedOut'), `${h.closedOutBy} · ${clock(h.closedOutAt)}`] : null,
    ].filter((x) => x)));
  }

  // The events as published (one line each: when, what, who, the words given) and the operator actions.
  function fillTrail(events, audit) {
    const actorOf = (e) => Object.entries(e).find(([k, v]) => k.endsWith('By') && typeof v === 'string');
    const wordsOf = (e) => e.reason || e.comment || (e.cause ? `${causeLabel(e.cause)}: ${e.description}` : null) || e.description || e.measures || (e.step ? t(`step.${e.step}`) : null);
    $('detail-trail-section').hidden = events.length === 0;
    $('detail-trail').replaceChildren(...events.map((x) => {
      const actor = actorOf(x.event);
      const words = wordsOf(x.event);
      return el('li', { 'data-type': x.type },
        el('span', { class: 'muted', text: clock(x.at) }), ' ', el('strong', { text: t(`ev.${x.type}`) }),
        actor ? el('span', { text: ` · ${actor[1]}` }) : null, words ? el('span', { text: ` — ${words}` }) : null);
    }));
    const list = $('detail-audit');
    const rows = audit || [];
    list.replaceChildren(...(rows.length ? rows.map((r) => el('li', {},
      el('span', { class: 'muted', text: clock(r.at) }), ' ', el('strong', { text: r.actor || '' }), ' ',
      el('span', { text: r.action || '' }), r.reason ? el('span', { text: ` — ${r.reason}` }) : null))
      : [el('li', { class: 'muted', text: t('noAudit') })]));
  }

  // Stored readings around the alarm, the raise's context readings as dots, the limit and the raise.
  async function loadPlot(detail) {
    const a = detail.alarm;
    const target = $('plot');
    const note = $('plot-note');
    const raisedAt = Date.parse(a.raisedAt);
    const closedAt = detail.history && detail.history.alarm.closedAt ? Date.parse(detail.history.alarm.closedAt) : null;
    const live = !!liveAlarm(a.alarmId);
    const from = new Date(live ? now() - 30 * 60 * 1000 : raisedAt - 30 * 60 * 1000);
    const to = new Date(live || !closedAt ? now() + 1000 : closedAt + 60 * 1000);
    let context = [];
    const raised = detail.history && detail.history.events.find((e) => e.type === 'AlarmRaised');
    if (raised) context = raised.event.context || [];
    else if (live) { try { context = (await api('GET', `/api/alarms/${a.alarmId}/context`)).context || []; } catch { /* closed meanwhile */ } }
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
      const ctx = context.filter((c) => c.tag === tag && c.v !== null && c.v !== undefined)
        .map((c) => ({ t: c.ts, v: typeof c.v === 'boolean' ? (c.v ? 1 : 0) : c.v }));
      series.push({ name: tag, points, context: ctx });
    }
    if (state.detail !== detail) return;
    if (storeFailed) { note.textContent = t('plotStoreUnavailable'); note.hidden = false; }
    const drawn = Plot.draw(target, series, { limit: a.limit, raisedAt, unit: a.unit, labels: { limit: t('limit'), raised: t('raised') } });
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


  // ---- views ------------------------------------------------------------------------------------------------
  // A view refreshed every 3 s is rebuilt only when what it shows changed: a form or a selection survives.
  function changed(value, replacer) {
    const json = JSON.stringify(value, replacer);
    if (json === state.viewJson) return false;
    state.viewJson = json;
    return true;
  }

  const LOADERS = { disposal: loadDisposals, hazards: loadHazards, gateways: loadGateways };

  async function loadView() {
    const load = LOADERS[state.view];
    if (!load) return;
    try { await load(); } catch { /* the next refresh tries again */ }
  }

  // The counts on the tabs: open loops (overdue first) and open major hazards.
  async function loadCounts() {
    try {
      const [disposals, board] = await Promise.all([api('GET', '/api/disposals'), api('GET', '/api/hazards/board')]);
      const overdue = disposals.filter((a) => a.disposal.overdue).length;
      $('disposal-count').textContent = disposals.length ? (overdue ? `${overdue}/${disposals.length}` : String(disposals.length)) : '';
      $('disposal-count').title = t('disposalSummary', disposals.length, overdue);
      $('hazard-count').textContent = board.open ? String(board.open) : '';
      $('hazard-count').title = t('overdueCount', board.overdue);
    } catch { /* a nicety */ }
  }

  function show(view) {
    state.view = view;
    state.viewJson = '';
    for (const v of ['alarms', 'disposal', 'hazards', 'history', 'gateways']) $(`view-${v}`).hidden = v !== view;
    document.querySelectorAll('[data-view]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.view === view)));
    clearInterval(state.viewTimer);
    if (view === 'history') searchHistory(false);
    if (LOADERS[view]) {
      loadView();
      state.viewTimer = setInterval(loadView, 3000);
    }
  }

  // ---- start ----------------------------------------------------------------------------------------------
  async function start() {
    I18n.apply();
    state.me = await api('GET', '/console/me');
    $('who').textContent = state.me.displayName + (canOperate() || canVerify() ? '' : ` (${t('viewer')})`);
    try {
      const config = await api('GET', '/api/config');
      state.sites = config.sites || [];
      for (const s of state.sites) state.names[s.enterprise] = s.name;
    } catch { /* names are a nicety */ }
    try { state.causes = await api('GET', '/api/disposal/causes'); } catch { /* the form then lists none */ }
    $('history-enterprise').append(...state.sites.map((s) => el('option', { value: s.enterprise, text: s.name || s.enterprise })));

    $('alarm-rows').addEventListener('click', onRowClick(() => state.alarms, 'alarmId', 'alarm'));
    $('disposal-rows').addEventListener('click', onRowClick(() => state.disposals, 'alarmId', 'alarm'));
    $('hazard-rows').addEventListener('click', onRowClick(() => state.hazards, 'hazardId', 'hazard'));
    $('history-rows').addEventListener('click', onRowClick(() => [], 'alarmId', 'alarm'));
    $('disposal-step').addEventListener('change', () => { state.viewJson = ''; loadView(); });
    $('disposal-overdue').addEventListener('change', () => { state.viewJson = ''; loadView(); });
    $('hazard-open').addEventListener('change', () => { state.viewJson = ''; loadView(); });
    $('history-form').addEventListener('submit', (e) => { e.preventDefault(); searchHistory(false); });
    $('history-more').addEventListener('click', () => searchHistory(true));
    document.querySelectorAll('[data-view]').forEach((b) => b.addEventListener('click', () => show(b.dataset.view)));
    $('action-form').addEventListener('submit', submitAction);
    $('action-cancel').addEventListener('click', () => $('action').close());
    $('detail-close').addEventListener('click', () => { state.detail = null; $('detail').close(); });
    $('logout').addEventListener('click', async () => {
      await fetch('/console/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-Monitoring-Console': '1' } });
      location.assign('/console/login');
    });
    I18n.onChange(() => {
      render();
      state.viewJson = '';
      loadView();
      if (state.view === 'history') searchHistory(false);
      const badge = $('connection');
      badge.textContent = t(badge.dataset.state === 'live' ? 'live' : 'reconnecting');
      if (state.detail && $('detail').open) openDetail(state.detail.kind, state.detail.id);
    });
    setInterval(tick, 1000);
    setInterval(loadCounts, 10000);
    loadCounts();
    connect();
  }

  start();
})();
