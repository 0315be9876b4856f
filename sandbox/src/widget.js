// The sandbox's Okta-like sign-in widget. The page's HTML has no form: this script draws it, so a
// client that only scrapes HTML finds nothing. Element ids and classes follow Okta's classic widget
// (#okta-signin-username, #okta-signin-password, #okta-signin-submit, input[name=answer],
// .o-form-error-container, .number-challenge). It talks to the sandbox's Authn API like the widget.
(function () {
  const params = new URLSearchParams(location.search);
  const fromURI = params.get('fromURI') || '/';
  const variant = document.getElementById('okta-sign-in').dataset.variant;
  const root = document.getElementById('okta-sign-in');
  let username = '';
  let stateToken = null;

  function form(title, inner, onsubmit) {
    root.innerHTML = '<form class="o-form" id="form" novalidate><h2 class="okta-form-title">' + title + '</h2>' +
      '<div class="o-form-error-container"></div>' + inner + '</form>';
    document.getElementById('form').addEventListener('submit', function (e) {
      e.preventDefault();
      onsubmit();
    });
  }
  function error(message) {
    document.querySelector('.o-form-error-container').innerHTML =
      '<div class="okta-form-infobox-error infobox infobox-error" role="alert"><p>' + message + '</p></div>';
  }
  function value(id) { return document.getElementById(id).value; }
  async function api(url, body) {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  }
  const userField = '<label for="okta-signin-username">Username</label><input id="okta-signin-username" name="username" type="text" autocomplete="username">';
  const passField = '<label for="okta-signin-password">Password</label><input id="okta-signin-password" name="password" type="password" autocomplete="current-password">';
  const submit = function (label) { return '<input class="button button-primary" id="okta-signin-submit" type="submit" value="' + label + '">'; };

  function start() {
    if (variant === 'one-page') {
      form('Sign In', userField + passField + submit('Sign In'), function () {
        username = value('okta-signin-username');
        primary(value('okta-signin-password'), start);
      });
    } else {
      form('Sign In', userField + submit('Next'), function () {
        username = value('okta-signin-username');
        askPassword();
      });
    }
  }
  function askPassword() {
    form('Verify with your password', passField + submit('Verify'), function () {
      primary(value('okta-signin-password'), askPassword);
    });
  }
  async function primary(password, again) {
    const r = await api('/api/v1/authn', { username: username, password: password });
    if (r.status !== 200) {
      again();
      error(r.status === 401 ? 'Unable to sign in' : r.body.errorSummary);
      return;
    }
    next(r.body);
  }
  function next(tx) {
    if (tx.status === 'SUCCESS') {
      location.href = '/login/sessionCookieRedirect?checkAccountSetupComplete=true&token=' +
        encodeURIComponent(tx.sessionToken) + '&redirectUrl=' + encodeURIComponent(location.origin + fromURI);
    } else if (tx.status === 'MFA_REQUIRED') {
      stateToken = tx.stateToken;
      mfa(tx._embedded.factors);
    } else if (tx.status === 'LOCKED_OUT') {
      form('Locked', '', function () {});
      error('Your account is locked. Please contact your administrator.');
    } else {
      form('Sign In', '', function () {});
      error('Your password has expired.');
    }
  }
  function mfa(factors) {
    const totp = factors.find(function (f) { return f.factorType === 'token:software:totp'; });
    const push = factors.find(function (f) { return f.factorType === 'push'; });
    const duo = factors.find(function (f) { return f.factorType === 'claims_provider'; });
    const key = factors.find(function (f) { return f.factorType === 'webauthn'; });
    if (duo) {
      // A claims provider (Duo): the widget hands the browser to it, and comes back to fromURI.
      api(duo._links.verify.href, { stateToken: stateToken }).then(function (r) {
        location.href = r.body._links.next.href + '&fromURI=' + encodeURIComponent(fromURI);
      });
    } else if (key && !totp && !push) {
      // A security key: the verify POST hands out the challenge, WebAuthn signs it, the
      // assertion goes to the next link.
      form('Verify with Security Key or Biometric Authenticator', sandboxWebauthnView, function () {});
      api(key._links.verify.href, { stateToken: stateToken }).then(function (r) {
        const f = r.body._embedded.factor;
        return sandboxWebauthn(f._embedded.challenge, [f.profile.credentialId]).then(function (assertion) {
          assertion.stateToken = stateToken;
          return api(r.body._links.next.href, assertion);
        });
      }).then(function (r) {
        if (r.status === 200) { next(r.body); return; }
        root.querySelector('[data-se=webauthn-waiting]').remove();
        error(r.body.errorSummary);
      }, function (e) {
        root.querySelector('[data-se=webauthn-waiting]').remove();
        root.querySelector('form').insertAdjacentHTML('beforeend', '<a href="#" class="button retry-webauthn">Retry</a>');
        error('Unable to verify with your security key (' + e.name + ').');
      });
    } else if (totp) {
      const ask = function () {
        form('Enter your verification code', '<label for="input-answer">Code</label><input id="input-answer" name="answer" type="text" autocomplete="one-time-code">' + submit('Verify'), async function () {
          const r = await api(totp._links.verify.href, { stateToken: stateToken, passCode: value('input-answer') });
          if (r.status !== 200) {
            ask();
            error("Your code doesn't match our records. Please try again.");
            return;
          }
          next(r.body);
        });
      };
      ask();
    } else if (push) {
      form('Get a push notification', '<input class="button button-primary" type="submit" value="Send Push" data-se="push-send">', async function () {
        root.querySelector('[data-se=push-send]').remove();
        let r = await api(push._links.verify.href, { stateToken: stateToken });
        while (r.status === 200 && r.body.status === 'MFA_CHALLENGE' && r.body.factorResult === 'WAITING') {
          const challenge = r.body._embedded.factor._embedded && r.body._embedded.factor._embedded.challenge;
          if (challenge && !root.querySelector('.number-challenge')) {
            root.querySelector('form').insertAdjacentHTML('beforeend',
              '<div class="number-challenge">Tap <span class="phone--number">' + challenge.correctAnswer + '</span> in Okta Verify</div>');
          }
          await new Promise(function (done) { setTimeout(done, 1000); });
          r = await api(r.body._links.next.href, { stateToken: stateToken });
        }
        if (r.status === 200 && r.body.status === 'SUCCESS') {
          next(r.body);
        } else if (r.body.factorResult === 'REJECTED') {
          error('You have chosen to reject this login.');
        } else {
          error('Your push notification has expired.');
        }
      });
    } else {
      form('Sign In', '', function () {});
      error('No supported factor is enrolled.');
    }
  }
  start();
})();
