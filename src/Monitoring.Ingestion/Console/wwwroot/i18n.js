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
