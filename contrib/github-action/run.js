// run.js: what pre.js, main.js and post.js share.  The action's logic is
// in the sh scripts next to this file (testable without a runner); this
// only starts one and exits with its status.  No dependencies: the
// runner's node and its standard library.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

// A workflow command's message: a newline must not start another command.
function escapeData(s) {
  return String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

module.exports = function run(script) {
  // GitHub passes input fail-on as INPUT_FAIL-ON, a name sh cannot read:
  // add INPUT_FAIL_ON beside it.
  const env = { ...process.env };
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('INPUT_')) {
      const sh = name.replace(/[^A-Za-z0-9_]/g, '_');
      if (!(sh in env)) env[sh] = value;
    }
  }
  const r = spawnSync('sh', [path.join(__dirname, script)], { env, stdio: 'inherit' });
  if (r.error) {
    process.stdout.write(`::error title=steptrail::${escapeData(`cannot run ${script}: ${r.error.message}`)}\n`);
    return 1;
  }
  if (r.status === null) {
    process.stdout.write(`::error title=steptrail::${escapeData(`${script} was killed by ${r.signal}`)}\n`);
    return 1;
  }
  return r.status;
};
