// The sandbox tenant's sign-in pages in a browser: each draws its step from $Config as Entra's
// pages do (the field names and ids of login.microsoftonline.com: loginfmt / i0116, passwd / i0118,
// idSIButton9, idTxtBx_SAOTCC_OTC, idRichContext_DisplaySign) and walks the same endpoints a
// terminal client calls. With `autofill` in $Config (a test knob: "the user"), it types and clicks
// by itself.
(function () {
  const c = window.$Config || {};
  const root = document.getElementById('entra');
  document.body.style.display = 'block';
  const auto = c.autofill || null;
  const esc = function (t) { return String(t).replace(/[&<>"]/g, function (x) { return '&#' + x.charCodeAt(0) + ';'; }); };
  function post(url, fields) {
    const f = document.createElement('form');
    f.method = 'POST';
    f.action = url;
    Object.keys(fields).forEach(function (k) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = fields[k];
      f.appendChild(i);
    });
    document.body.appendChild(f);
    f.submit();
  }
  async function json(url, body, headers) {
    const r = await fetch(url, { method: 'POST', headers: Object.assign({ 'Content-Type': 'application/json' }, headers || {}), body: JSON.stringify(body) });
    return r.json();
  }
  const error = c.sErrTxt ? '<div id="usernameError" class="error" role="alert">' + esc(c.sErrTxt) + '</div>' : '';
  if (c.pgid === 'ConvergedSignIn') {
    root.innerHTML = '<div class="title">Sign in</div>' + error +
      '<input type="email" name="loginfmt" id="i0116" placeholder="Email, phone, or Skype">' +
      '<input type="password" name="passwd" id="i0118" placeholder="Password">' +
      '<input type="submit" id="idSIButton9" value="Sign in">';
    document.getElementById('idSIButton9').addEventListener('click', async function () {
      const user = document.getElementById('i0116').value;
      const type = await json(c.urlGetCredentialType, { username: user, isOtherIdpSupported: true, originalRequest: c.sCtx, flowToken: c.sFT },
        { canary: c.apiCanary, hpgrequestid: c.sessionId });
      if (type.Credentials && type.Credentials.FederationRedirectUrl) { location.href = type.Credentials.FederationRedirectUrl; return; }
      const fields = { canary: c.canary, hpgrequestid: c.sessionId, ctx: c.sCtx, login: user, loginfmt: user, passwd: document.getElementById('i0118').value };
      fields[c.sFTName] = type.FlowToken || c.sFT;
      post(c.urlPost, fields);
    });
    if (auto && !c.sErrTxt) {
      document.getElementById('i0116').value = auto.username;
      document.getElementById('i0118').value = auto.password;
      document.getElementById('idSIButton9').click();
    }
  } else if (c.pgid === 'KmsiInterrupt') {
    root.innerHTML = '<div class="title">Stay signed in?</div><input type="submit" id="idBtn_Back" value="No"><input type="submit" id="idSIButton9" value="Yes">';
    const answer = function (yes) { const f = { ctx: c.sCtx, LoginOptions: yes ? '1' : '3' }; f[c.sFTName] = c.sFT; post(c.urlPost, f); };
    document.getElementById('idSIButton9').addEventListener('click', function () { answer(true); });
    document.getElementById('idBtn_Back').addEventListener('click', function () { answer(false); });
    if (auto) answer(true);
  } else if (c.pgid === 'ConvergedProofUpRedirect') {
    root.innerHTML = '<div class="title">More information required</div><a id="btnAskLater" href="' + esc(c.urlSkipMfaRegistration) + '">Skip for now</a>';
    if (auto) location.href = c.urlSkipMfaRegistration;
  } else if (c.pgid === 'ConvergedTFA') {
    const proof = (c.arrUserProofs || []).find(function (p) { return p.isDefault; }) || (c.arrUserProofs || [])[0];
    (async function () {
      let r = await json(c.urlBeginAuth, { AuthMethodId: proof.authMethodId, Method: 'BeginAuth', Ctx: c.sCtx, FlowToken: c.sFT });
      const done = function (res) {
        if (!res.Success) { root.innerHTML = '<div id="idDiv_SAASDS_Description" class="error" role="alert">' + esc(res.Message || res.ResultValue) + '</div>'; return; }
        const f = { request: res.Ctx, login: c.sPOST_Username }; f[c.sFTName] = res.FlowToken; post(c.urlPost, f);
      };
      if (proof.authMethodId === 'PhoneAppNotification') {
        root.innerHTML = '<div class="title">Approve sign in request</div><div id="idRichContext_DisplaySign" class="displaySign">' + esc(r.Entropy) + '</div>';
        for (let n = 1; ; n++) {
          await new Promise(function (ok) { setTimeout(ok, 1000 * ((c.oPerAuthPollingInterval || {}).PhoneAppNotification || 1)); });
          r = await json(c.urlEndAuth, { AuthMethodId: proof.authMethodId, Method: 'EndAuth', Ctx: r.Ctx, FlowToken: r.FlowToken, SessionId: r.SessionId, PollCount: n });
          if (!(r.Retry && !r.Success && !r.ErrCode)) return done(r);
        }
      }
      root.innerHTML = '<div class="title">Enter code</div><input name="otc" id="idTxtBx_SAOTCC_OTC" type="tel" autocomplete="one-time-code"><input type="submit" id="idSubmit_SAOTCC_Continue" value="Verify">';
      document.getElementById('idSubmit_SAOTCC_Continue').addEventListener('click', async function () {
        done(await json(c.urlEndAuth, { AuthMethodId: proof.authMethodId, Method: 'EndAuth', Ctx: r.Ctx, FlowToken: r.FlowToken, SessionId: r.SessionId, AdditionalAuthData: document.getElementById('idTxtBx_SAOTCC_OTC').value, PollCount: 1 }));
      });
    })();
  } else {
    root.innerHTML = '<div class="title">Sign in</div><div id="errorText" class="error" role="alert">AADSTS' + esc(c.sErrorCode || '') + ': ' + esc(c.sErrTxt || '') + '</div>';
  }
})();
