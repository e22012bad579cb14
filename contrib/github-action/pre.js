// pre.js: the action's pre step; the logic is in pre.sh (see run.js).
'use strict';
process.exitCode = require('./run')('pre.sh');
