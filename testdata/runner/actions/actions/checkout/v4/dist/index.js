// checkout: a stand-in for actions/checkout, as GitHub runs it: node
// .../_actions/actions/checkout/v4/dist/index.js, cwd = the workspace, and
// the same file again as the post step, which the runner tells apart with
// STATE_isPost=true (what the main step saved with core.saveState).
// Main: git init, an auth header in the repository's git config, the
// repository's files (copied from the seed: there is no server to fetch
// from).  Post: the auth header taken out again.
'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');

const ws = process.env.GITHUB_WORKSPACE || process.cwd();
const header = 'http.https://github.com/.extraheader';
const git = (...args) => execFileSync('git', args, { cwd: ws, encoding: 'utf8' });

if (process.env.STATE_isPost === 'true') {
  console.log('Post job cleanup.');
  git('config', '--local', '--unset-all', header);
  console.log(`Removed ${header} from ${ws}/.git/config`);
} else {
  console.log(git('version').trim());
  git('init', '-q', ws);
  git('config', '--local', header, 'AUTHORIZATION: basic ***');
  fs.cpSync('/home/runner/work/_seed/hello', ws, { recursive: true });
  console.log(`Synced repository ${process.env.GITHUB_REPOSITORY} into ${ws}`);
}
