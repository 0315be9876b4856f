// Starts the npm package saml-idp (a real SAML IdP that signs its assertions) for aws-token's tests,
// configured for AWS: the Role attribute with several values and RoleSessionName.
//
// usage: node run.js PORT CERT KEY ROLES
//   ROLES  role values separated by '|', each "provider-arn,role-arn" as AWS expects
//
// saml-idp splits a multi-valued attribute on ',' (lib/simpleProfileMapper.js), which would cut every
// AWS role value in two; this launcher makes the Role attribute split on '|' instead. Signing and the
// rest of the response are saml-idp's own. Its sign-in page also fails to prefill attribute values
// (its getProperty helper is handed the wrong Handlebars context), so the helper is registered again
// to fall back to the configured user, as the page intends.
const path = require('path');
const { runServer } = require('saml-idp');
const SimpleProfileMapper = require('saml-idp/lib/simpleProfileMapper.js');

const [port, cert, key, roles] = process.argv.slice(2);
const ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
const SESSION = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';

SimpleProfileMapper.prototype.getClaims = function () {
  const claims = {};
  for (const entry of this.metadata) {
    const v = this._pu[entry.id];
    claims[entry.id] = entry.id === ROLE ? String(v).split('|') : v;
  }
  return claims;
};

const user = {
  userName: 'saml.jackson@example.com',
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  [ROLE]: roles,
  [SESSION]: 'saml.jackson@example.com',
};

runServer({
  host: '127.0.0.1',
  port: Number(port),
  cert: path.resolve(cert),
  key: path.resolve(key),
  issuer: 'urn:aws-token:test:saml-idp',
  acsUrl: 'https://signin.aws.amazon.com/saml',
  audience: 'urn:amazon:webservices',
  config: {
    user,
    metadata: [
      { id: ROLE, optional: false, displayName: 'AWS roles', description: 'provider,role pairs', multiValue: true },
      { id: SESSION, optional: false, displayName: 'AWS session name', description: 'RoleSessionName', multiValue: false },
    ],
  },
});

require('hbs').registerHelper('getProperty', (attribute, context) =>
  context && context[attribute] !== undefined ? context[attribute] : user[attribute]);
