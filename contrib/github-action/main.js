// main.js: the action's main step; the logic is in main.sh (see run.js).
'use strict';
process.exitCode = require('./run')('main.sh');
