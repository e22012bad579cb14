// formats-check.js: reads steptrail's reports as their consumers do, for
// tests/formats.sh.  Each check prints one line per problem and exits 1 if
// there was any, 0 if none.
//
//   node formats-check.js summary FILE [hostile]  (markdown-it: NODE_PATH)
//   node formats-check.js annotations FILE [hostile]
//   node formats-check.js jsonl FILE [hostile]
//   node formats-check.js sarif FILE [hostile]
//   node formats-check.js validated FILE    (the Multitool's output log)
//
// With "hostile" (the report of testdata/hostile) the checks also require
// that the attacker's content is all shown, escaped where people read it.
// The hostile case (testdata/hostile) puts ESC, CR, LF, workflow commands,
// <script>, <img>, <b>, Markdown and invalid UTF-8 in argv, file names and
// the working directory: none of it may act, all of it must be shown.
'use strict';
const fs = require('fs');

const [, , what, file, flag] = process.argv;
const hostile = flag === 'hostile';
const text = fs.readFileSync(file, 'latin1');	// bytes as they are
const problems = [];
const bad = (m) => problems.push(m);

// Bytes no report meant for people or CI logs may carry raw.
function rawControls(s, where) {
	// eslint-disable-next-line no-control-regex
	const m = s.match(/[\x00-\x08\x0b-\x1f\x7f]/);
	if (m)
		bad(`${where}: raw control byte 0x${m[0].charCodeAt(0)
		    .toString(16)}`);
	if (s.includes('##['))
		bad(`${where}: GitHub's legacy command prefix ##[`);
}

function summary() {
	const md = require('markdown-it')({ html: true });	// GitHub allows some
	const html = md.render(fs.readFileSync(file, 'utf8'));
	rawControls(text, 'summary');
	// elements the attacker wrote must be text, not elements
	for (const tag of ['<script', '<img', '<b>', '<a href="https://evil'])
		if (html.includes(tag))
			bad(`summary renders ${tag}`);
	// what the attacker wrote is shown, escaped, inside code
	const codes = html.match(/<code>[^]*?<\/code>/g) || [];
	const shown = codes.join('\n');
	for (const s of !hostile ? [] : ['\\x1b[2J', '&lt;script&gt;', '::error::',
	    '\\xff\\xfe', '##\\x5badd-mask]'])
		if (!shown.includes(s))
			bad(`summary does not show ${s} in code`);
	// markdown-it, like GitHub, drops the cells a stray | adds: the whole
	// hostile command line must be in one cell of an ancestry table
	if (hostile && !/<td><code>[^<]*arg \| cell\\n::notice::forged/
	    .test(html))
		bad('the hostile parent is not whole in its ancestry cell');
	if (!/<details><summary>ancestry<\/summary>/.test(html))
		bad('no ancestry in <details>');
}

// ::CMD PROPS::DATA, with GitHub's escaping (runner's ActionCommand)
function annotations() {
	const lines = text.split('\n');
	if (lines.pop() !== '')
		bad('output does not end with a newline');
	let shown = '';
	for (const line of lines) {
		rawControls(line, 'annotation');
		const m = line.match(/^::(error|warning|notice) ([^:]*)::(.*)$/);
		if (!m) {
			bad(`not a workflow command: ${line.slice(0, 100)}`);
			continue;
		}
		const props = {};
		for (const p of m[2].split(',')) {
			// the runner splits at the first =
			const eq = p.indexOf('=');
			if (eq <= 0) {
				bad(`bad property ${p.slice(0, 80)}`);
				continue;
			}
			const kv = [p.slice(0, eq), p.slice(eq + 1)];
			props[kv[0]] = kv[1].replace(/%3A/g, ':')
			    .replace(/%2C/g, ',').replace(/%0D/g, '\r')
			    .replace(/%0A/g, '\n').replace(/%25/g, '%');
		}
		if (!props.title || !props.title.startsWith('steptrail'))
			bad(`no steptrail title: ${m[2].slice(0, 80)}`);
		if (/%(?!25|0A|0D|3A|2C)/.test(m[2]))
			bad(`unescaped % in properties: ${m[2].slice(0, 80)}`);
		if (/%(?!25|0A|0D)/.test(m[3]))
			bad(`unescaped % in message: ${m[3].slice(0, 80)}`);
		shown += m[3].replace(/%0D/g, '\r').replace(/%0A/g, '\n')
		    .replace(/%25/g, '%') + '\n';
	}
	for (const s of !hostile ? [] : ['\\x1b[2J', '<script>', '::set-env',
	    '%0A::warning',
	    '##\\x5badd-mask]', '\\xff\\xfe'])
		if (!shown.includes(s))
			bad(`annotations do not show ${s}`);
}

function jsonl() {
	const lines = text.split('\n');
	if (lines.pop() !== '')
		bad('output does not end with a newline');
	let args = [];
	lines.forEach((line, i) => {
		rawControls(line, `line ${i + 1}`);
		let o;
		try {
			o = JSON.parse(Buffer.from(line, 'latin1')
			    .toString('utf8'));
		} catch (e) {
			bad(`line ${i + 1}: ${e.message}`);
			return;
		}
		for (const k of ['@timestamp', 'message'])
			if (typeof o[k] !== 'string')
				bad(`line ${i + 1}: no ${k}`);
		if (!o.event || o.event.kind !== 'alert' ||
		    !Array.isArray(o.event.category) ||
		    typeof o.event.severity !== 'number')
			bad(`line ${i + 1}: event.* incomplete`);
		if (!o.rule || !o.rule.name || !o.threat ||
		    o.threat.framework !== 'MITRE ATT&CK' ||
		    !Array.isArray(o.threat.technique.id))
			bad(`line ${i + 1}: rule.* or threat.* incomplete`);
		if (!o.process || typeof o.process.pid !== 'number' ||
		    !o.process.parent || !Array.isArray(o.process.args))
			bad(`line ${i + 1}: process.* incomplete`);
		if (!o.steptrail || !Array.isArray(o.steptrail.ancestry))
			bad(`line ${i + 1}: no steptrail.ancestry`);
		args = args.concat(o.process.args);
		if (o.process.working_directory)
			args.push(o.process.working_directory);
	});
	// machines get the real characters back (invalid UTF-8 as \xNN)
	const all = args.join('\n');
	// (a bidi override is shown as the text \u202e, see st_utf8_clean)
	for (const s of !hostile ? [] : ['\x1b[2J', '\r\n::set-env', '<script>',
	    '##[add-mask]',
	    '\\u202e', '\\xff\\xfe', 'wd\n::error::cwd|<b>cwd%0A'])
		if (!all.includes(s))
			bad(`args do not hold ${JSON.stringify(s)}`);
}

function sarif() {
	rawControls(text, 'sarif file');
	const log = JSON.parse(fs.readFileSync(file, 'utf8'));
	const run = log.runs[0];
	const rules = run.tool.driver.rules;
	let args = '';
	for (const r of run.results) {
		rawControls(r.message.text, `message of ${r.ruleId}`);
		if (rules[r.ruleIndex].id !== r.ruleId)
			bad(`ruleIndex ${r.ruleIndex} is not ${r.ruleId}`);
		if (!r.partialFingerprints ||
		    !/^[0-9a-f]{16}$/.test(r.partialFingerprints[
		    'steptrailFinding/v1']))
			bad(`no fingerprint on ${r.ruleId}`);
		args += r.properties.argv.join('\n') + '\n';
	}
	for (const s of !hostile ? [] :
	    ['\x1b[2J', '<script>', '##[add-mask]', '\\u202e'])
		if (!args.includes(s))
			bad(`properties.argv do not hold ${JSON.stringify(s)}`);
	for (const r of rules)
		if (!r.properties['security-severity'] ||
		    !r.properties.tags.some((t) =>
		    t.startsWith('external/mitre-attack/T')))
			bad(`rule ${r.id}: no security-severity or ATT&CK tag`);
}

// The Multitool's own log of what it found: no error, and no warning but
// SARIF2005 (no informationUri: steptrail has no public home page yet).
function validated() {
	const log = JSON.parse(fs.readFileSync(file, 'utf8'));
	for (const r of log.runs[0].results || []) {
		const level = r.level || 'warning';
		if (level === 'error' ||
		    (level === 'warning' && r.ruleId !== 'SARIF2005'))
			bad(`${level} ${r.ruleId}: ${r.message.text ||
			    JSON.stringify(r.message.arguments)}`);
	}
	for (const n of (log.runs[0].invocations || [])
	    .flatMap((i) => i.toolExecutionNotifications || []))
		bad(`validator: ${n.message.text}`);
}

const checks = { summary, annotations, jsonl, sarif, validated };
if (!checks[what]) {
	console.error(`formats-check.js: unknown check ${what}`);
	process.exit(2);
}
checks[what]();
for (const p of problems)
	console.log(p);
process.exit(problems.length > 0 ? 1 : 0);
