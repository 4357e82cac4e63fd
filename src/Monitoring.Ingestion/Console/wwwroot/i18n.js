'use strict';
// Chinese and English. The alarm texts themselves (condition) come in both languages from the events.
const I18n = (function () {
  const text = {
    en: {
      appTitle: 'Duty console', loginIntro: 'Sign in to work the alarms.', user: 'User', password: 'Password', signIn: 'Sign in',
      loginRefused: 'Unknown user or wrong password.', loginFailed: 'Sign-in failed; try again.', loginLocked: 'Too many failed sign-ins: try again in {0} s.', signOut: 'Sign out',
      tabAlarms: 'Alarms', tabGateways: 'Gateways', live: 'live', reconnecting: 'reconnecting…',
      activeAlarms: 'Active alarms', noAlarms: 'No active alarms.', unacknowledged: 'unacknowledged',
      colPriority: 'Priority', colState: 'State', colEnterprise: 'Enterprise', colEquipment: 'Equipment', colCondition: 'Condition',
      colClause: 'Clause', colValue: 'Value / limit', colSince: 'Raised', colEscalation: 'Escalates in', colActions: '',
      'state.unacknowledged': 'Unacknowledged', 'state.acknowledged': 'Acknowledged', 'state.returned-to-normal-unacknowledged': 'Returned, unacknowledged',
      'state.shelved': 'Shelved', 'state.latched': 'Latched', 'state.out-of-service': 'Out of service',
      'priority.critical': 'Critical', 'priority.high': 'High', 'priority.medium': 'Medium', 'priority.low': 'Low',
      level: 'Level', majorHazard: 'Major hazard', simulated: 'Simulated', historical: 'Historical', chattering: 'Chattering',
      acknowledge: 'Acknowledge', shelve: 'Shelve', comment: 'Comment', details: 'Details', close: 'Close', overdue: 'overdue',
      ago: '{0} ago', shelveReason: 'Reason', shelveFor: 'For', minutes: '{0} min', hours: '{0} h', send: 'Send', cancel: 'Cancel',
      commentText: 'Comment', ackComment: 'Comment (optional)', reasonRequired: 'A reason is required.', commentRequired: 'Write a comment.',
      actionFailed: 'Refused: {0}', acknowledgedBy: 'Acknowledged by {0}', shelvedBy: 'Shelved by {0} until {1}: {2}',
      detailTitle: 'Alarm', plotTitle: 'Readings (last 30 min and the event context)', plotNoData: 'No readings to plot.',
      plotStoreUnavailable: 'Time-series store unavailable: only the event context is shown.', limit: 'limit', raised: 'raised',
      source: 'Source', gateway: 'Gateway', tags: 'Tags', rule: 'Rule', raisedAt: 'Raised at', lastComment: 'Last comment',
      audit: 'History', noAudit: 'No operator actions yet.', escalationLevel: 'Escalation level',
      gatewaysTitle: 'Gateway board', colGateway: 'Gateway', colStatus: 'Status', colLastSeen: 'Last seen', colMessages: 'Messages',
      colGaps: 'Sequence gaps', colDuplicates: 'Duplicates', colRestarts: 'Restarts', colRejects: 'Rejected', colFirmware: 'Firmware',
      colClock: 'Clock', clockAhead: '{0} s ahead', clockBehind: '{0} s behind', clockSkewed: 'clock skewed: data timestamps are wrong; alarms still judged on the gateway\'s own clock', clockUnknown: 'not yet estimated',
      'gw.online': 'online', 'gw.offline': 'offline', 'gw.silent': 'silent', 'gw.never': 'never seen', 'gw.unknown': 'unknown',
      enterprises: '{0} enterprises, {1} gateways, {2} online', viewer: 'read only',
      // The loop after the alarm (docs/disposal.md): 签收, 处置/反馈, 核查, 销号.
      tabDisposal: 'Disposal', tabHazards: 'Major hazards', tabHistory: 'History',
      signFor: 'Sign for', dispose: 'Report disposal', verify: 'Approve', return: 'Return', plan: 'Plan rectification',
      rectify: 'Report rectified', hazardVerify: 'Approve rectification', hazardReturn: 'Return', closeOut: 'Close out',
      'step.sign-for': 'To sign for', 'step.dispose': 'Awaiting disposal report', 'step.verify': 'Awaiting verification',
      'step.closing': 'Awaiting close-out', 'step.closed-out': 'Closed out', 'step.plan': 'Rectification plan', 'step.rectify': 'Rectification',
      'hz.open': 'Awaiting plan', 'hz.planned': 'Being rectified', 'hz.rectified': 'Awaiting verification', 'hz.verified': 'Awaiting close-out', 'hz.closed': 'Closed out',
      'wait.plan': 'plan due', 'wait.rectify': 'rectification due', 'wait.verify': 'verification due',
      filterStep: 'Step', allSteps: 'All open steps', overdueOnly: 'Overdue only', openOnly: 'Open only', all: 'All',
      colStep: 'Step', colDue: 'Due in', colReport: 'Disposal report', colAge: 'Open for', colPlan: 'Rectification',
      colRaisedAt: 'Raised at', colClosedAt: 'Closed', overdueFor: 'overdue {0}',
      noDisposals: 'Nothing awaits disposal.', noHazards: 'No open major hazards.', noHistory: 'No alarm matches.',
      disposalSummary: '{0} open, {1} overdue', attempt: 'report no. {0}', closingNote: 'closes out when the alarm has ended',
      returnedBy: 'Returned by {0}: {1}', reportedBy: 'by {0} at {1}, {2} evidence', reported: 'Reported',
      cause: 'Cause', chooseCause: '— choose a cause —', causeText: 'Cause, in words', causeTextRequired: 'This cause needs a few words saying what it was.',
      description: 'What was found', measures: 'What was done', evidence: 'Evidence (one reference per line)', evidenceRefs: 'Evidence',
      evidenceHint: 'photo:…, doc:…, work order …', evidenceRequired: 'Give at least one evidence reference.',
      verifyComment: 'Comment (optional)', returnReason: 'Why it is returned', closeOutComment: 'Comment (optional)', required: '{0} is required.',
      planMeasures: 'Rectification measures', owner: 'Person responsible', rectifyBy: 'Rectify by', rectifyDescription: 'What was rectified',
      planOwner: '{0}, by {1}', rectified: 'Rectified', verified: 'Verified', closedOut: 'Closed out', lastReturn: 'Last returned',
      targetZero: 'Target: zero', targetZeroReached: 'Zero open: target met', openHazards: 'open major hazards',
      overdueCount: '{0} overdue', closedCount: '{0} closed', oldestOpen: 'oldest open {0}', recurrences: 'recurred {0}×',
      openedAt: 'Opened', firstOpenedAt: 'First opened', alarmsOfRecord: 'Alarms',
      from: 'From', to: 'To', search: 'Search', exportCsv: 'Export CSV', more: 'More', 'history.open': 'Open', 'history.closed': 'Closed',
      trail: 'Event trail',
      'ev.AlarmRaised': 'Raised', 'ev.AlarmAcknowledged': 'Acknowledged (signed for)', 'ev.AlarmCleared': 'Returned to normal', 'ev.AlarmEscalated': 'Escalated',
      'ev.AlarmShelved': 'Shelved', 'ev.AlarmUnshelved': 'Unshelved', 'ev.AlarmOutOfService': 'Out of service', 'ev.AlarmReturnedToService': 'Back in service',
      'ev.AlarmReset': 'Reset', 'ev.AlarmDisposed': 'Disposal reported', 'ev.AlarmDisposalReturned': 'Report returned', 'ev.AlarmDisposalVerified': 'Report verified',
      'ev.AlarmClosedOut': 'Closed out', 'ev.AlarmDisposalOverdue': 'Overdue',
      'ev.HazardOpened': 'Hazard opened', 'ev.HazardReopened': 'Hazard recurred', 'ev.HazardRectificationPlanned': 'Rectification planned',
      'ev.HazardRectified': 'Rectified', 'ev.HazardRectificationReturned': 'Rectification returned', 'ev.HazardVerified': 'Rectification verified',
      'ev.HazardClosedOut': 'Hazard closed out', 'ev.HazardOverdue': 'Overdue',
    },
    zh: {
      appTitle: '值班台', loginIntro: '登录后处理报警。', user: '用户', password: '密码', signIn: '登录',
      loginRefused: '用户不存在或密码错误。', loginFailed: '登录失败，请重试。', loginLocked: '登录失败次数过多，请在 {0} 秒后重试。', signOut: '退出',
      tabAlarms: '报警', tabGateways: '网关', live: '实时', reconnecting: '正在重连…',
      activeAlarms: '当前报警', noAlarms: '当前没有报警。', unacknowledged: '未确认',
      colPriority: '优先级', colState: '状态', colEnterprise: '企业', colEquipment: '设备', colCondition: '报警条件',
      colClause: '依据条款', colValue: '数值 / 限值', colSince: '报警时间', colEscalation: '距升级', colActions: '',
      'state.unacknowledged': '未确认', 'state.acknowledged': '已确认', 'state.returned-to-normal-unacknowledged': '已恢复未确认',
      'state.shelved': '已搁置', 'state.latched': '已锁存', 'state.out-of-service': '已停用',
      'priority.critical': '紧急', 'priority.high': '高', 'priority.medium': '中', 'priority.low': '低',
      level: '级别', majorHazard: '重大事故隐患', simulated: '模拟', historical: '历史', chattering: '频繁报警',
      acknowledge: '确认', shelve: '搁置', comment: '备注', details: '详情', close: '关闭', overdue: '已超时',
      ago: '{0}前', shelveReason: '原因', shelveFor: '时长', minutes: '{0} 分钟', hours: '{0} 小时', send: '提交', cancel: '取消',
      commentText: '备注', ackComment: '备注（可选）', reasonRequired: '必须填写原因。', commentRequired: '请填写备注。',
      actionFailed: '操作被拒绝：{0}', acknowledgedBy: '{0} 已确认', shelvedBy: '{0} 搁置至 {1}：{2}',
      detailTitle: '报警', plotTitle: '读数（最近 30 分钟及事件上下文）', plotNoData: '没有可绘制的读数。',
      plotStoreUnavailable: '时序库不可用：仅显示事件上下文。', limit: '限值', raised: '报警',
      source: '来源', gateway: '网关', tags: '位号', rule: '规则', raisedAt: '报警时间', lastComment: '最新备注',
      audit: '处理记录', noAudit: '暂无操作记录。', escalationLevel: '升级级别',
      gatewaysTitle: '网关看板', colGateway: '网关', colStatus: '状态', colLastSeen: '最后通信', colMessages: '消息数',
      colGaps: '序号缺失', colDuplicates: '重复', colRestarts: '重启', colRejects: '拒收', colFirmware: '固件',
      colClock: '时钟', clockAhead: '快 {0} 秒', clockBehind: '慢 {0} 秒', clockSkewed: '时钟偏差过大：数据时间戳不准，报警仍按网关自身时钟判定', clockUnknown: '尚未估算',
      'gw.online': '在线', 'gw.offline': '离线', 'gw.silent': '无数据', 'gw.never': '从未上线', 'gw.unknown': '未知',
      enterprises: '{0} 家企业，{1} 台网关，{2} 台在线', viewer: '只读',
      tabDisposal: '处置', tabHazards: '重大隐患', tabHistory: '历史',
      signFor: '签收', dispose: '处置反馈', verify: '核查通过', return: '退回', plan: '制定整改方案',
      rectify: '整改完成', hazardVerify: '核查通过', hazardReturn: '退回', closeOut: '销号',
      'step.sign-for': '待签收', 'step.dispose': '待处置反馈', 'step.verify': '待核查',
      'step.closing': '待销号', 'step.closed-out': '已销号', 'step.plan': '整改方案', 'step.rectify': '整改',
      'hz.open': '待制定方案', 'hz.planned': '整改中', 'hz.rectified': '待核查', 'hz.verified': '待销号', 'hz.closed': '已销号',
      'wait.plan': '方案期限', 'wait.rectify': '整改期限', 'wait.verify': '核查期限',
      filterStep: '环节', allSteps: '全部未完成环节', overdueOnly: '仅超时', openOnly: '仅未销号', all: '全部',
      colStep: '环节', colDue: '剩余时限', colReport: '处置反馈', colAge: '已持续', colPlan: '整改',
      colRaisedAt: '报警时间', colClosedAt: '关闭', overdueFor: '已超时 {0}',
      noDisposals: '没有待处置的报警。', noHazards: '没有未销号的重大事故隐患。', noHistory: '没有符合条件的报警。',
      disposalSummary: '未完成 {0} 条，超时 {1} 条', attempt: '第 {0} 次反馈', closingNote: '报警结束后自动销号',
      returnedBy: '{0} 退回：{1}', reportedBy: '{0} 于 {1} 反馈，佐证 {2} 项', reported: '反馈',
      cause: '消警原因', chooseCause: '— 选择原因 —', causeText: '原因说明', causeTextRequired: '此原因需要填写说明。',
      description: '现场情况', measures: '处置措施', evidence: '佐证材料（每行一项）', evidenceRefs: '佐证材料',
      evidenceHint: 'photo:…，doc:…，工单号…', evidenceRequired: '至少提供一项佐证材料。',
      verifyComment: '核查意见（可选）', returnReason: '退回原因', closeOutComment: '销号意见（可选）', required: '必须填写{0}。',
      planMeasures: '整改措施', owner: '责任人', rectifyBy: '整改期限', rectifyDescription: '整改情况',
      planOwner: '{0}，{1} 前', rectified: '整改完成', verified: '核查', closedOut: '销号', lastReturn: '最近退回',
      targetZero: '目标：清零', targetZeroReached: '已清零', openHazards: '项未销号重大事故隐患',
      overdueCount: '超时 {0} 项', closedCount: '已销号 {0} 项', oldestOpen: '最久 {0}', recurrences: '复发 {0} 次',
      openedAt: '发现时间', firstOpenedAt: '首次发现', alarmsOfRecord: '关联报警',
      from: '起', to: '止', search: '查询', exportCsv: '导出 CSV', more: '更多', 'history.open': '未关闭', 'history.closed': '已关闭',
      trail: '事件记录',
      'ev.AlarmRaised': '报警', 'ev.AlarmAcknowledged': '签收（确认）', 'ev.AlarmCleared': '恢复正常', 'ev.AlarmEscalated': '升级',
      'ev.AlarmShelved': '搁置', 'ev.AlarmUnshelved': '取消搁置', 'ev.AlarmOutOfService': '停用', 'ev.AlarmReturnedToService': '恢复启用',
      'ev.AlarmReset': '复位', 'ev.AlarmDisposed': '处置反馈', 'ev.AlarmDisposalReturned': '反馈被退回', 'ev.AlarmDisposalVerified': '核查通过',
      'ev.AlarmClosedOut': '销号', 'ev.AlarmDisposalOverdue': '超时',
      'ev.HazardOpened': '隐患登记', 'ev.HazardReopened': '隐患复发', 'ev.HazardRectificationPlanned': '制定整改方案',
      'ev.HazardRectified': '整改完成', 'ev.HazardRectificationReturned': '整改被退回', 'ev.HazardVerified': '整改核查通过',
      'ev.HazardClosedOut': '隐患销号', 'ev.HazardOverdue': '超时',
    },
  };
  const stored = localStorage.getItem('console.lang');
  let lang = stored === 'zh' || stored === 'en' ? stored : (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const listeners = [];

  function t(key, ...args) {
    const s = (text[lang] && text[lang][key]) ?? text.en[key] ?? key;
    return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
  }

  function apply() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll('[data-lang]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
    listeners.forEach((f) => f(lang));
  }

  function set(next) {
    lang = next;
    localStorage.setItem('console.lang', next);
    apply();
  }

  document.addEventListener('click', (e) => {
    const button = e.target.closest('[data-lang]');
    if (button) set(button.dataset.lang);
  });

  return { t, apply, set, get lang() { return lang; }, onChange: (f) => listeners.push(f) };
})();
