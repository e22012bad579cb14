// npm-lite: installs the vendored dependencies and runs their lifecycle
// scripts exactly as npm does: `sh -c SCRIPT` with the package as cwd.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const name of Object.keys(pkg.dependencies || {})) {
  const dst = path.join('node_modules', name);
  fs.mkdirSync(dst, { recursive: true });
  fs.cpSync(path.join('vendor', name), dst, { recursive: true });
  const p = JSON.parse(fs.readFileSync(path.join(dst, 'package.json'), 'utf8'));
  console.log(`added ${name}@${p.version}`);
  for (const hook of ['preinstall', 'install', 'postinstall']) {
    const script = p.scripts && p.scripts[hook];
    if (!script) continue;
    console.log(`\n> ${name}@${p.version} ${hook}\n> ${script}\n`);
    const r = spawnSync('sh', ['-c', script], {
      cwd: dst, stdio: 'inherit',
      env: { ...process.env, npm_lifecycle_event: hook, npm_package_name: name },
    });
    if (r.status !== 0) {
      console.error(`npm-lite: ${name} ${hook} exited ${r.status}`);
      process.exit(1);
    }
  }
}
