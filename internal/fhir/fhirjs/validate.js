// validate.js validates FHIR R4 resources with FHIR.js (npm "fhir") for
// Tend's test suite (internal/fhir/fhirtest). It reads a JSON array of
// resources on stdin and prints a JSON array with, per resource, its errors
// and warnings, each with its location and message. FHIR.js marks a problem
// with severity "fatal", "error", "warning" or "info"; "fatal" and "error"
// count as errors here. Unexpected properties are errors, so a misspelt
// element name cannot pass.
'use strict';

const { Fhir } = require('fhir');

function main(input) {
  let resources;
  try {
    resources = JSON.parse(input);
  } catch (e) {
    process.stderr.write('validate.js: stdin is not JSON: ' + e.message + '\n');
    process.exit(2);
  }
  if (!Array.isArray(resources)) {
    process.stderr.write('validate.js: stdin must be a JSON array of resources\n');
    process.exit(2);
  }
  const fhir = new Fhir();
  const results = resources.map((resource) => {
    const out = { resourceType: resource && resource.resourceType, errors: [], warnings: [] };
    let res;
    try {
      res = fhir.validate(resource, { errorOnUnexpected: true });
    } catch (e) {
      out.errors.push({ location: '', message: 'validator threw: ' + e.message });
      return out;
    }
    for (const m of res.messages || []) {
      const msg = { location: m.location || '', message: m.message || '' };
      if (m.severity === 'error' || m.severity === 'fatal') {
        out.errors.push(msg);
      } else if (m.severity === 'warning') {
        out.warnings.push(msg);
      }
    }
    if (!res.valid && out.errors.length === 0) {
      out.errors.push({ location: '', message: 'FHIR.js reports the resource invalid' });
    }
    return out;
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => main(input));
