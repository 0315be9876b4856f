// WebAuthn in the sandbox's pages, as Okta's sign-in widget calls it: the challenge and the
// enrolled credential ids (base64url) become navigator.credentials.get's options; the answer's
// clientDataJSON, authenticatorData and signature go back in standard base64 (the widget's btoa).
// The appid extension is passed only for an https appid (Chromium refuses others).
window.sandboxWebauthn = function (data, ids) {
  const bin = function (s) { return Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), function (c) { return c.charCodeAt(0); }); };
  const b64 = function (buf) { return btoa(String.fromCharCode.apply(null, new Uint8Array(buf))); };
  const options = {
    challenge: bin(data.challenge),
    userVerification: data.userVerification || 'preferred',
    allowCredentials: ids.map(function (id) { return { type: 'public-key', id: bin(id) }; }),
    timeout: 60000,
  };
  if (data.rpId) options.rpId = data.rpId;
  const appid = (data.extensions || {}).appid;
  if (appid && appid.indexOf('https:') === 0) options.extensions = { appid: appid };
  return navigator.credentials.get({ publicKey: options }).then(function (c) {
    return {
      clientData: b64(c.response.clientDataJSON),
      authenticatorData: b64(c.response.authenticatorData),
      signatureData: b64(c.response.signature),
    };
  });
};
// The waiting view both widgets draw (Okta's: a spinner with data-se="webauthn-waiting"; after a
// failure, a retry button with class retry-webauthn).
window.sandboxWebauthnView = '<p class="o-form-explain">Touch your security key or use your biometric authenticator.</p>' +
  '<div data-se="webauthn-waiting" class="okta-waiting-spinner">Waiting for your security key</div>';
