// post.js: the action's post step; the logic is in post.sh (see run.js).
'use strict';
process.exitCode = require('./run')('post.sh');
