'use strict';
(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  I18n.apply();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const response = await fetch('/console/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Monitoring-Console': '1' },
      body: JSON.stringify({ user: document.getElementById('login-user').value, password: document.getElementById('login-password').value }),
    });
    if (response.ok) {
      const target = new URLSearchParams(location.search).get('ReturnUrl');
      // Only a path on this site: an open redirect would make the sign-in page a phishing tool.
      location.assign(target && target.startsWith('/console') ? target : '/console');
      return;
    }
    // 429: locked after repeated failures (user name or address); Retry-After says for how long.
    error.textContent = response.status === 429
      ? I18n.t('loginLocked', response.headers.get('Retry-After') ?? '?')
      : I18n.t(response.status === 401 ? 'loginRefused' : 'loginFailed');
    error.hidden = false;
  });
})();
