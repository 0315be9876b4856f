// The sandbox's Identity Engine sign-in widget. Like Okta's, the page has no form: this script
// introspects the page's stateToken and draws each remediation the IDX API offers, with the real
// widget's field names (identifier, credentials.passcode, credentials.totp) and data-se attributes
// (authenticator buttons "google_otp", "okta_verify-push", "okta_verify-totp", "phone_number",
// "okta_email", "webauthn"; the number challenge "number-challenge"; errors in
// .o-form-error-container and .o-form-input-error). It always sends the newest stateHandle.
(function () {
  const root = document.getElementById('okta-sign-in');
  const ION = 'application/ion+json; okta-version=1.0.0';
  let last = null;

  async function post(href, body) {
    const r = await fetch(href, { method: 'POST', headers: { 'Content-Type': ION, Accept: ION }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() };
  }
  function esc(t) { return String(t).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function form(title, inner, onsubmit) {
    root.innerHTML = '<form class="o-form" data-se="o-form" novalidate><h2 class="okta-form-title o-form-head">' + esc(title) + '</h2>' +
      '<div class="o-form-error-container" data-se="o-form-error-container"></div><div class="o-form-fieldset-container">' + inner + '</div></form>';
    root.querySelector('form').addEventListener('submit', function (e) { e.preventDefault(); onsubmit(); });
  }
  function submit(label) { return '<input class="button button-primary" type="submit" value="' + esc(label) + '" data-type="save">'; }
  function field(name, label, type, autocomplete) {
    return '<div class="o-form-fieldset" data-se="o-form-fieldset-' + name + '"><label for="input-' + name + '">' + esc(label) + '</label>' +
      '<input id="input-' + name + '" name="' + name + '" type="' + type + '" autocomplete="' + autocomplete + '"></div>';
  }
  function val(name) { return root.querySelector('[name="' + name + '"]').value; }
  function remediation(a, name) { return ((a.remediation || {}).value || []).find(function (r) { return r.name === name; }); }
  function topError(text) {
    root.querySelector('.o-form-error-container').innerHTML =
      '<div class="okta-form-infobox-error infobox infobox-error" role="alert"><p>' + esc(text) + '</p></div>';
  }
  function fieldMessages(r) {
    const out = [];
    (r.value || []).forEach(function (f) {
      ((f.form || {}).value || []).forEach(function (g) { ((g.messages || {}).value || []).forEach(function (m) { out.push(m.message); }); });
    });
    return out;
  }

  async function send(href, body) {
    body.stateHandle = last.stateHandle;
    const r = await post(href, body);
    if (!r.body.stateHandle && r.body.messages) {
      form('Sign In', '', function () {});
      topError(r.body.messages.value.map(function (m) { return m.message; }).join(' '));
      return;
    }
    show(r.body);
  }

  function show(a) {
    last = a;
    if (a.success) { location.href = a.success.href; return; }
    // One identity provider to go to (Duo as an IdP authenticator): the widget redirects at once.
    const idp = remediation(a, 'redirect-idp');
    if (idp) { location.href = idp.href; return; }
    const top = ((a.messages || {}).value || []).map(function (m) { return m.message; });
    const identify = remediation(a, 'identify');
    const challenge = remediation(a, 'challenge-authenticator');
    const select = remediation(a, 'select-authenticator-authenticate');
    const poll = remediation(a, 'challenge-poll');
    const reach = remediation(a, 'authenticator-verification-data');
    if (identify) {
      const withPassword = identify.value.some(function (f) { return f.name === 'credentials'; });
      form('Sign In', field('identifier', 'Username', 'text', 'username') +
        (withPassword ? field('credentials.passcode', 'Password', 'password', 'current-password') : '') + submit(withPassword ? 'Sign in' : 'Next'),
        function () {
          const body = { identifier: val('identifier') };
          if (withPassword) body.credentials = { passcode: val('credentials.passcode') };
          send(identify.href, body);
        });
    } else if (challenge) {
      const enrollment = (a.currentAuthenticatorEnrollment || {}).value || {};
      const names = ((challenge.value.find(function (f) { return f.name === 'credentials'; }) || {}).form || {}).value || [];
      const name = (names[0] || {}).name || 'passcode';
      if (enrollment.key === 'okta_password') {
        form('Verify with your password', field('credentials.passcode', 'Password', 'password', 'current-password') + submit('Verify'),
          function () { send(challenge.href, { credentials: { passcode: val('credentials.passcode') } }); });
      } else if (name === 'clientData') {
        // A security key: the widget calls WebAuthn at once and sends the assertion.
        const current = (a.currentAuthenticator || {}).value || {};
        const ids = ((a.authenticatorEnrollments || {}).value || [])
          .filter(function (e) { return e.key === 'webauthn' && e.credentialId; })
          .map(function (e) { return e.credentialId; });
        if (top.length) {
          // Okta refused the last assertion: its words, and a retry button (as the widget).
          form('Verify with Security Key or Biometric Authenticator', '<a href="#" class="button retry-webauthn">Retry</a>', function () {});
          root.querySelector('.retry-webauthn').addEventListener('click', function (e) { e.preventDefault(); top.length = 0; show(a); });
          topError(top.join(' '));
          return;
        }
        form('Verify with Security Key or Biometric Authenticator', sandboxWebauthnView, function () {});
        sandboxWebauthn((current.contextualData || {}).challengeData || {}, ids).then(
          function (credentials) { send(challenge.href, { credentials: credentials }); },
          function (e) {
            root.querySelector('[data-se=webauthn-waiting]').remove();
            root.querySelector('form').insertAdjacentHTML('beforeend', '<a href="#" class="button retry-webauthn">Retry</a>');
            topError('Unable to verify with your security key (' + e.name + ').');
          });
      } else if (name !== 'passcode' && name !== 'totp') {
        form('Verify with ' + (enrollment.displayName || 'your authenticator'), '', function () {});
        topError('This authenticator needs a security key or biometric on this device.');
        return;
      } else {
        form('Verify with ' + (enrollment.displayName || 'your authenticator'),
          field('credentials.' + name, 'Enter code', 'text', 'one-time-code') + submit('Verify'),
          function () { const c = {}; c[name] = val('credentials.' + name); send(challenge.href, { credentials: c }); });
      }
      const errs = fieldMessages(challenge);
      if (errs.length) {
        root.querySelector('.o-form-fieldset:last-of-type').insertAdjacentHTML('beforeend', '<p class="okta-form-input-error o-form-input-error" role="alert">' + esc(errs.join(' ')) + '</p>');
      }
    } else if (poll) {
      const current = (a.currentAuthenticator || {}).value || {};
      const n = (current.contextualData || {}).correctAnswer;
      form('Get a push notification', '<p class="o-form-explain" data-se="o-form-explain">Push notification sent</p>' +
        (n ? '<div class="number-challenge-view"><p>Tap <span class="phone--number" data-se="number-challenge">' + esc(n) + '</span> in Okta Verify</p></div>' : ''),
        function () {});
      setTimeout(function () { send(poll.href, {}); }, poll.refresh || 4000);
    } else if (reach) {
      // A lone phone: SMS by the button, a call by the link (as Okta's widget draws it).
      const fields = reach.value.find(function (f) { return f.name === 'authenticator'; }).form.value;
      const id = fields.find(function (f) { return f.name === 'id'; }).value;
      form('Verify with your phone', '<a href="#" class="link phone-authenticator-challenge__link" data-se="voice-call">Receive a voice call instead</a>' +
        submit('Receive a code via SMS'),
        function () { send(reach.href, { authenticator: { id: id, methodType: 'sms' } }); });
      root.querySelector('[data-se=voice-call]').addEventListener('click', function (e) {
        e.preventDefault();
        send(reach.href, { authenticator: { id: id, methodType: 'voice' } });
      });
    } else if (select) {
      const options = (select.value.find(function (f) { return f.name === 'authenticator'; }) || {}).options || [];
      const enrollments = (a.authenticatorEnrollments || {}).value || [];
      let rows = '';
      const choices = [];
      options.forEach(function (o, i) {
        const fields = o.value.form.value;
        const id = fields.find(function (f) { return f.name === 'id'; }).value;
        const m = fields.find(function (f) { return f.name === 'methodType'; });
        const methods = m.options ? m.options.map(function (x) { return x.value; }) : [m.value];
        const key = (enrollments[i] || {}).key || o.label;
        // Okta Verify's methods get a row each; a phone's SMS is the row (voice needs another step).
        const shown = key === 'okta_verify' ? methods : [methods[0]];
        shown.forEach(function (method) {
          const se = key === 'okta_verify' ? key + '-' + method : key;
          choices.push({ se: se, id: id, method: method });
          rows += '<div class="authenticator-row clearfix"><div class="authenticator-description"><h3 class="authenticator-label no-translate">' +
            esc(o.label) + (key === 'okta_verify' ? ' (' + esc(method) + ')' : '') + '</h3>' +
            '<div class="authenticator-button" data-se="' + esc(se) + '"><a href="#" class="button select-factor link-button" data-se="button">Select</a></div></div></div>';
        });
      });
      form('Verify it\'s you with a security method', '<div class="authenticator-list"><div class="list-content">' + rows + '</div></div>', function () {});
      root.querySelectorAll('.authenticator-button').forEach(function (b) {
        b.querySelector('a').addEventListener('click', function (e) {
          e.preventDefault();
          const c = choices.find(function (x) { return x.se === b.dataset.se; });
          send(select.href, { authenticator: { id: c.id, methodType: c.method } });
        });
      });
    } else {
      form('Sign In', '', function () {});
      if (!top.length) top.push('This sign-in cannot continue here.');
    }
    if (top.length) topError(top.join(' '));
  }

  post('/idp/idx/introspect', { stateToken: stateToken }).then(function (r) {
    if (r.body.stateHandle) show(r.body);
    else { form('Sign In', '', function () {}); topError('The session has expired.'); }
  });
})();
