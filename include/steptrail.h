/*
 * steptrail.h: the one internal header, and the table of contents.
 *
 * One section per source file, in pipeline order:
 *
 *   source -> reader (+ window) -> proctree -> match -> finding -> report
 *
 * analyze.c wires the stages together; main.c parses arguments.  There is
 * no library boundary yet, so every type is visible to every stage: keep
 * each stage's state behind its own functions anyway.
 *
 * Error tiers: programming errors assert(); CLI and environment errors are
 * reported by main.c only; data errors inside stages return -1 and a
 * message through `char **cause` (caller frees).  A malformed audit record
 * is counted and skipped, never fatal.
 */
#ifndef STEPTRAIL_H
#define STEPTRAIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define ST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ST_NORETURN __attribute__((noreturn))

/* A file compiled into the binary (build-aux/embed-files.sh). */
struct st_embedded {
	const char	*file;
	const char	*text;
};

/* ---------------------------------------------------------------- util.c */

ST_NORETURN void st_fatal(const char *fmt, ...) ST_PRINTF(1, 2);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) ST_PRINTF(1, 2);

/* A growable byte buffer, always NUL-terminated once it holds anything. */
struct st_buf {
	char	*d;
	size_t	 len;
	size_t	 cap;
};
void	 st_buf_add(struct st_buf *, const void *, size_t);
void	 st_buf_addc(struct st_buf *, char);
void	 st_buf_adds(struct st_buf *, const char *);
void	 st_buf_addf(struct st_buf *, const char *, ...) ST_PRINTF(2, 3);
const char *st_buf_cstr(struct st_buf *);
char	*st_buf_steal(struct st_buf *);
void	 st_buf_reset(struct st_buf *);
void	 st_buf_free(struct st_buf *);

/* Open-addressing map from a 64-bit key to a non-NULL pointer. */
struct st_map_slot;
struct st_map {
	struct st_map_slot *slots;
	size_t	 cap;
	size_t	 len;
};
void	*st_map_get(const struct st_map *, uint64_t);
void	 st_map_put(struct st_map *, uint64_t, void *);
void	*st_map_del(struct st_map *, uint64_t);
void	 st_map_foreach(const struct st_map *, void (*)(uint64_t, void *, void *),
	    void *);
void	 st_map_free(struct st_map *);
uint64_t st_hash64(const void *, size_t);

/* Node names (the `node=` prefix of aggregated logs), interned process-wide;
 * id 0 is "no node". */
unsigned	 st_node_intern(const char *);
const char	*st_node_name(unsigned);

/* Values as the kernel logs them: "quoted", HEX, or (null). */
char	*st_audit_decode(const char *, size_t *);
char	*st_audit_decode_in(const char *, size_t *, void *(*)(void *, size_t),
	    void *);
/* By byte: 0x10 | the digit's value for a hex digit (either case), 0
 * for any other byte. */
extern const unsigned char st_hex_tab[256];
bool	 st_is_hex(const char *, size_t);
int	 st_hex_decode(const char *, size_t, char *);

void	 st_format_time(char *, size_t, time_t, unsigned);
#define ST_TIME_LEN 32

/* -------------------------------------------------------------- escape.c */

void	 st_escape(struct st_buf *, const char *, size_t);
void	 st_escape_arg(struct st_buf *, const char *);
void	 st_format_argv(struct st_buf *, char *const *, size_t, size_t);
void	 st_buf_cut(struct st_buf *, size_t, size_t);
char	*st_utf8_clean(const char *);

/* -------------------------------------------------------------- reader.c */

enum st_event_kind {
	ST_EV_OTHER = 0,	/* a record type we do not interpret */
	ST_EV_EXEC,		/* successful execve/execveat */
	ST_EV_FORK,		/* clone/fork/vfork creating a process */
	ST_EV_SYSCALL,		/* any other syscall (connect, ptrace, ...) */
	ST_EV_CONFIG,		/* CONFIG_CHANGE: rules, enabled state */
	ST_EV_DAEMON,		/* DAEMON_START/END/ABORT/... from auditd */
	ST_EV_USER,		/* a user-space message (USER, USER_CMD, ...) */
};

/* PATH names kept per event (a rename has 4, an exec 2 or 3). */
#define ST_EVENT_NAMES	6

/* One argument while an EXECVE is being assembled from its records. */
struct st_argb {
	struct st_buf	 val;
	long		 declared_len;	/* aN_len, or -1 */
	size_t		 encoded_len;	/* what aN_len counts: hex digits or chars */
	bool		 have;
	long		 nsub;		/* aN[i] chunks taken: 0..nsub-1 */
	char		*whole;		/* the usual argument, whole in one
					   field, in the event's memory */
	size_t		 whole_len;
};

/*
 * A normalized audit event.  Everything is owned by the event, and a
 * consumer that keeps a string copies it.  The reader puts the strings
 * and argv in the event's own memory (st_event_alloc: a few blocks, freed
 * with it); a field elsewhere is an allocation of its own, freed by
 * st_event_free too (events made by recipe-test.c and the tests).
 */
struct st_event {
	enum st_event_kind kind;
	unsigned	 node;
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	unsigned	 nrecords;
	unsigned	 parts;		/* >1: merged from parts auparse split */
	int		 first_type;

	/* SYSCALL record */
	bool		 has_syscall;
	unsigned long	 arch;
	int		 syscall;
	const char	*sysname;	/* static, "" when unknown */
	bool		 success;
	long long	 exit;
	long		 items;		/* PATH records announced, -1: unknown */
	unsigned long long a0, a1, a2, a3;
	int		 pid;
	int		 ppid;
	uint32_t	 uid, euid, gid, auid, ses;
	char		*comm;
	char		*exe;
	char		*key;

	/* EXECVE records, assembled */
	long		 argc;		/* declared, -1 when no EXECVE */
	bool		 extra_args;	/* arguments beyond argc */
	struct st_argb	*argb;
	size_t		 nargb;
	size_t		 argb_cap;
	char		**argv;		/* after st_event_finish() */
	size_t		 nargv;
	bool		 argv_truncated;

	char		*cwd;
	char		*path0;		/* PATH item=0: what execve was given */
	char		*names[ST_EVENT_NAMES];	/* PATH names, in item order */
	unsigned	 nnames;
	unsigned	 names_parent;	/* bit i: item i is a PARENT directory */
	unsigned	 names_made;	/* bit i: item i is CREATE or DELETE */
	unsigned	 npaths;	/* PATH records received */

	/* SOCKADDR: where a connect went */
	int		 family;	/* AF_INET, ...; -1 when none */
	char		*addr;		/* "127.0.0.1", "::1", a unix path */
	int		 port;		/* -1 when none */
	unsigned	 missing;	/* records announced but not received */
	char		*proctitle;	/* NUL-separated, decoded */
	size_t		 proctitle_len;

	/* CONFIG_CHANGE, DAEMON_*, USER_* */
	char		*op;
	char		*res;
	char		*msg;
	long		 enabled;	/* audit_enabled=N, -1 when absent */

	size_t		 win_pos;	/* window.c heap index */
	size_t		 bytes;		/* text of its records, read so far */
	size_t		 win_bytes;	/* of those, what the window counted */
	bool		 win_forked;	/* window.c indexed it as a fork... */
	uint64_t	 win_child;	/* ... under this key */

	/* what its serial told coverage.c (reader.c: a gap it ends or a
	 * serial it fills), applied by whoever analyses the event, in the
	 * events' order, so the reader can run in a thread of its own */
	struct st_cov_op {
		enum { ST_COV_NONE, ST_COV_GAP, ST_COV_FILL } kind;
		unsigned long	 lo, hi, missing;
		time_t		 lo_sec, hi_sec;
		unsigned	 lo_ms, hi_ms;
	} cov;
	struct st_ev_block *mem;	/* its memory (reader.c) */
};
void	*st_event_alloc(struct st_event *, size_t);
char	*st_event_strndup(struct st_event *, const char *, size_t);
bool	 st_event_owns(const struct st_event *, const void *);

struct st_reader_stats {
	unsigned long	 lines;
	unsigned long	 valid;		/* lines that are audit records */
	unsigned long	 records;
	unsigned long	 events;
	unsigned long	 malformed;
	unsigned long	 execs;
	unsigned long	 execs_failed;
	unsigned long	 forks;
	unsigned long	 threads;
	unsigned long	 parts_merged;
	unsigned long	 late;
	unsigned long	 duplicates;	/* late copies of events seen, dropped */
	unsigned long	 clock_steps;	/* the clock set back, numbers going on */
	unsigned long	 incomplete;
	unsigned long	 records_missing;	/* lost inside events */
	unsigned long	 argv_truncated;
	unsigned long	 serial_missing;	/* serial numbers never seen */
	unsigned long	 serial_gaps;		/* runs of them */
	unsigned long	 serial_resets;		/* reboot, rollover, other host */
	unsigned long	 reread;	/* read by the checkpoint's run: skipped */
	unsigned long	 held;		/* still open at the end: left for the
					 * next run (checkpoint) */
	unsigned long	 left_out;	/* records not fed to libauparse
					 * (lean.c), counted all the same:
					 * not reported, for tests */
	char		*malformed_first;	/* "file:line: reason" */
};

typedef void (*st_event_fn)(struct st_event *, void *);

/* lean.c: the fields libauparse need not parse */
struct st_lean;
const struct st_lean *st_lean_keep(const char *, size_t);
bool	 st_lean_drop(const char *, size_t);
const char *st_auparse_word(const char *, const char *, const char **,
	    size_t *);
void	 st_lean_add(struct st_buf *, const char *, size_t, size_t,
	    const struct st_lean *);

struct st_reader;
struct st_coverage;
struct st_reader *st_reader_new(st_event_fn, void *);
void	 st_reader_give(struct st_reader *);
void	 st_reader_cov_apply(struct st_coverage *, const struct st_event *);
void	 st_reader_free(struct st_reader *);
void	 st_reader_input(struct st_reader *, const char *, unsigned long long);
void	 st_reader_line(struct st_reader *, const char *, size_t);
void	 st_reader_skip(struct st_reader *, const char *, size_t);
void	 st_reader_hold(struct st_reader *);
void	 st_reader_flush(struct st_reader *);
bool	 st_reader_held(const struct st_reader *, unsigned *,
	    unsigned long long *);

/* A node's place in the log, as a checkpoint carries it (reader.c). */
#define ST_MARK_RING	4096
struct st_reader_mark {
	unsigned	 node;
	uint32_t	 lo, hi;	/* serials seen: the ring's span */
	time_t		 hi_sec;	/* hi's time */
	unsigned	 hi_ms;
	uint64_t	 ring[ST_MARK_RING / 64];
	bool		 newest;	/* the newest by number, and its time */
	time_t		 newest_sec;
	uint32_t	 newest_serial;
};
size_t	 st_reader_marks(const struct st_reader *, struct st_reader_mark **);
void	 st_reader_resume(struct st_reader *, const struct st_reader_mark *,
	    size_t);
const struct st_reader_stats *st_reader_stats(const struct st_reader *);
void	 st_reader_set_coverage(struct st_reader *, struct st_coverage *);
void	 st_event_free(struct st_event *);
const char *st_event_kind_name(enum st_event_kind);

/* -------------------------------------------------------------- window.c */

/*
 * Events wait here briefly so that parts of one event can be merged and
 * causally related events (a vfork and its child's exec) leave in order.
 */
struct st_window;
struct st_window *st_window_new(size_t, size_t);
void	 st_window_free(struct st_window *);
struct st_event *st_window_find(struct st_window *, unsigned, time_t,
	    unsigned, unsigned long);
void	 st_window_add(struct st_window *, struct st_event *);
void	 st_window_rekey(struct st_window *, struct st_event *);
struct st_event *st_window_pop(struct st_window *, bool);
size_t	 st_window_len(const struct st_window *);

/* ------------------------------------------------------------ proctree.c */

/* A recipe's hit filed for an exec (finding.c), kept with the exec. */
struct st_filed {
	const void	*recipe;
	int		 severity;	/* enum st_severity */
	struct st_finding *finding;	/* NULL: dropped (FINDINGS_MAX) */
};

/* One program a process ran: what a successful exec installed. */
struct st_image {
	struct st_image	*prev;		/* what the process ran before */
	char		*exe;
	char		*comm;
	char		*path;		/* execve target, absolute */
	char		*cwd;
	char		**argv;
	size_t		 argc;
	bool		 argv_truncated;
	bool		 argv_packed;	/* one block (st_proctree_trim) */
	bool		 incomplete;	/* some of its records were lost */
	unsigned long	 serial;
	time_t		 sec;
	unsigned	 ms;
	uint32_t	 uid, euid, auid;
	char		*key;
	struct st_filed	*filed;		/* recipes that fired on this exec */
	size_t		 nfiled;
};

/* How a process was given its build step (steps.c). */
enum st_attrib {
	ST_ATTR_NONE = 0,	/* outside any step */
	ST_ATTR_TREE,		/* its ancestry leads to a step's root */
	ST_ATTR_MARKER,		/* a `steptrail step` marker of an ancestor */
	ST_ATTR_TIME,		/* ancestry cut: the step running at the time */
};

struct st_step;

enum st_birth {
	ST_BORN_SEEN,		/* first seen in some syscall record */
	ST_BORN_FORK,		/* its clone/fork/vfork record was seen */
	ST_BORN_PARENT,		/* only known as someone's ppid */
};

struct st_proc {
	unsigned	 refs;
	unsigned long	 id;		/* creation order, for stable output */
	unsigned	 node;
	int		 pid;
	int		 ppid;		/* 0 when unknown */
	time_t		 last_sec;	/* its latest record */
	unsigned long	 last_seq;	/* ... the tree's event count then */
	uint32_t	 ses;		/* audit session; UINT32_MAX unknown */
	struct st_proc	*parent;	/* counted reference */
	struct st_proc	*kids;		/* newest child first; not counted: */
	struct st_proc	*sib_next;	/* a child unlinks itself when freed */
	struct st_proc	*sib_prev;	/* or reparented */
	struct st_image	*image;		/* NULL: no exec seen */
	unsigned	 nimages;
	char		*exe;		/* from records before any exec */
	char		*comm;
	char		*title;		/* PROCTITLE before any exec: NUL-separated */
	size_t		 title_len;	/* arguments may be empty: not "\0\0"-ended */
	enum st_birth	 birth;
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	struct st_step	*step;		/* steps.c: the step that started it */
	enum st_attrib	 step_by;
	bool		 attributed;
	struct st_step	*marker;	/* a shell's current marker step */
};

struct st_proctree_stats {
	unsigned long	 processes;
	unsigned long	 execs;
	unsigned long	 forks_linked;
	unsigned long	 pid_reuse;
	unsigned long	 reparented;
	unsigned long	 cycles_refused;
	unsigned long	 images_dropped;
	unsigned long	 bogus;		/* records no process can have made */
	unsigned long	 evicted;	/* idle a day: forgotten (long logs) */
	unsigned long	 evicted_full;	/* forgotten: the table was full */
};

struct st_proctree;
struct st_proctree *st_proctree_new(void);
void	 st_proctree_free(struct st_proctree *);
void	 st_proctree_set_sweep(struct st_proctree *, size_t, unsigned long);
void	 st_proctree_set_max(struct st_proctree *, size_t);
struct st_proc *st_proctree_apply(struct st_proctree *, struct st_event *);
struct st_proc *st_proctree_find(struct st_proctree *, unsigned, int);
struct st_proc *st_proctree_get(struct st_proctree *,
	    const struct st_event *, int);
void	 st_proctree_trim(struct st_proc *);
const struct st_proctree_stats *st_proctree_stats(const struct st_proctree *);
struct st_proc *st_proc_ref(struct st_proc *);
void	 st_proc_unref(struct st_proc *);
const char *st_proc_exe(const struct st_proc *);
void	 st_proc_cmdline(const struct st_proc *, struct st_buf *, size_t);
size_t	 st_proc_argv(const struct st_proc *, char ***, bool *);
void	 st_image_free(struct st_image *);
void	 st_proctree_each(const struct st_proctree *,
	    void (*)(struct st_proc *, void *), void *);
bool	 st_proctree_idle(const struct st_proctree *, const struct st_proc *);
void	 st_proctree_clock(const struct st_proctree *, unsigned long *,
	    unsigned long *, const time_t **, size_t *);
void	 st_proctree_set_clock(struct st_proctree *, unsigned long,
	    unsigned long, unsigned, time_t);
void	 st_proctree_adopt(struct st_proctree *, struct st_proc *);
bool	 st_proc_link(struct st_proc *, struct st_proc *);

/* --------------------------------------------------------------- steps.c */

enum st_step_kind {
	ST_STEP_RUN,		/* GitHub: bash -e _temp/<uuid>.sh */
	ST_STEP_ACTION,		/* GitHub: node _actions/OWNER/REPO/REF/... */
	ST_STEP_DOCKER,		/* GitHub: docker ... */
	ST_STEP_RUNNER,		/* GitHub: another child of Runner.Worker */
	ST_STEP_GITLAB,		/* GitLab Runner stage */
	ST_STEP_JENKINS,	/* Jenkins durable task (sh step) */
	ST_STEP_MARKER,		/* steptrail step NAME */
};

struct st_step {
	unsigned	 number;	/* in the order steps started */
	enum st_step_kind kind;
	char		*name;
	char		*derived;	/* the name the process tree gave it */
	char		*detail;	/* script or action entry point */
	unsigned	 node;
	int		 pid;		/* its root process (the marker's shell) */
	time_t		 sec;		/* start */
	unsigned	 ms;
	time_t		 last_sec;	/* its last event seen */
	unsigned	 last_ms;
	unsigned long	 processes;
	unsigned long	 execs;
	unsigned long	 by_time;	/* processes given it by time */
	unsigned long	 by_severity[5];
	unsigned	 listed;	/* number in the --steps list, 0: none */
	const char	*named_by;	/* "time", "order", NULL: not listed */
};

/* A step of the job's step list (--steps FILE). */
struct st_api_step {
	unsigned	 number;
	char		*name;
	time_t		 start;
	time_t		 end;
	bool		 timed;
	bool		 used;
};

struct st_steps {
	struct st_step	**v;
	size_t		 n, cap;
	struct st_step	*latest;	/* the step started last */
	struct st_map	 latest_on;	/* node + 1 -> its step started last */
	struct st_map	 actions;	/* action name -> times it started */
	unsigned	 ngitlab;
	unsigned	 njenkins;
	unsigned long	 markers;
	unsigned	 numbered;	/* the last step number given */
	struct st_api_step *api;
	size_t		 napi;
	unsigned long	 outside_processes;
	unsigned long	 outside_execs;
	unsigned long	 outside_by_severity[5];
};

void	 st_steps_init(struct st_steps *);
void	 st_steps_free(struct st_steps *);
int	 st_steps_load_list(struct st_steps *, const char *, char **);
void	 st_steps_apply(struct st_steps *, struct st_proctree *,
	    struct st_proc *, const struct st_event *);
void	 st_steps_finish(struct st_steps *);
void	 st_steps_adopt(struct st_steps *, struct st_step *);
void	 st_steps_set_latest(struct st_steps *, struct st_step *, bool);
void	 st_steps_actions(const struct st_steps *,
	    void (*)(const char *, unsigned, void *), void *);
void	 st_steps_set_action(struct st_steps *, const char *, unsigned);
const char *st_step_kind_name(enum st_step_kind);
const char *st_attrib_name(enum st_attrib);

/* --------------------------------------------------------------- match.c */

enum st_severity {
	ST_SEV_NONE = 0,
	ST_SEV_LOW,
	ST_SEV_MEDIUM,
	ST_SEV_HIGH,
	ST_SEV_CRITICAL,
};
const char	*st_severity_name(enum st_severity);
int		 st_severity_parse(const char *);

/* What a recipe is evaluated on ("on"): one bit each; an event can be
 * several (a connect is also a syscall). */
enum st_on {
	ST_ON_EXEC = 1 << 0,	/* a successful execve/execveat (default) */
	ST_ON_CONNECT = 1 << 1,	/* connect, socketcall(connect) */
	ST_ON_PTRACE = 1 << 2,	/* ptrace, process_vm_readv/writev */
	ST_ON_MEMFD = 1 << 3,	/* memfd_create */
	ST_ON_FILE = 1 << 4,	/* a syscall with PATH records (watches) */
	ST_ON_SYSCALL = 1 << 5,	/* any syscall but a successful exec/fork */
	ST_ON_CONFIG = 1 << 6,	/* CONFIG_CHANGE: rules, enabled flag */
	ST_ON_DAEMON = 1 << 7,	/* DAEMON_START/END/ABORT/... */
};
const char	*st_on_name(unsigned);

/* How a recipe's hits are folded into findings ("once"). */
enum st_once {
	ST_ONCE_EVENT = 0,	/* identical hits (same argv, parent...) */
	ST_ONCE_PROCESS,	/* one finding per process */
	ST_ONCE_EXE,		/* per binary */
	ST_ONCE_STEP,		/* per build step */
	ST_ONCE_ANCESTRY,	/* per chain of binaries up to the root */
};
const char	*st_once_name(enum st_once);

struct st_cond;
struct st_memo;
struct st_kinconds;
struct st_alt {
	struct st_cond	*conds;
	size_t		 nconds;
	enum st_severity severity;	/* ST_SEV_NONE: the recipe's */
	char		*reason;	/* why this is the severity, or NULL */
	unsigned	 scopes;	/* scopes its own conditions use */
	struct st_alt	*unless;	/* exceptions to this alternative only */
	size_t		 nunless;
	size_t		*order;		/* conds in evaluation order, cheapest
					   first (match.c) */
	int		 gate;		/* memo id of a first condition on the
					   exe, or -1 (match.c) */
};

struct cJSON;
struct st_recipe {
	char		*name;
	char		*description;
	char		*technique;
	char		*tactic;
	char		*file;
	enum st_severity severity;
	unsigned	 on;		/* one enum st_on bit */
	enum st_once	 once;
	unsigned	 scopes;	/* scopes its conditions use (match.c) */
	unsigned	 grade_scopes;	/* ... those of its grades */
	struct st_alt	*match;
	size_t		 nmatch;
	struct st_alt	*unless;
	size_t		 nunless;
	struct st_alt	*grade;		/* content-dependent severity */
	size_t		 ngrade;
	struct cJSON	*examples;	/* {"match": [...], "nomatch": [...]} */
	unsigned long	 gave_up;	/* matches that hit a PCRE2 limit */
};

struct st_recipes {
	struct st_recipe *v;
	size_t		 n;
	unsigned	 scopes;	/* union of the recipes' */
	void		*md;		/* pcre2_match_data_8 */
	void		*mctx;		/* pcre2_match_context_8 */
	void		*jit_stack;	/* pcre2_jit_stack_8 */
	unsigned long	 match_errors;
	char		*from;		/* the default set's directory; NULL:
					   built in (datadir.c) */
	size_t		 ndefault;	/* recipes in the default set */
	char		**pats;		/* distinct patterns of memoised
					   fields, by id (match.c) */
	size_t		 npats;
	char		**vpats;	/* field:pattern of argv conditions */
	size_t		 nvpats;
	struct st_memo	*memo;		/* their results by subject string */
	struct st_kinconds *kinconds;	/* sibling and child conditions */
	unsigned long	 gen;		/* recipes added or replaced */
	unsigned long	 memo_misses;	/* regexes run for the memo */
	unsigned long	 kin_rematched;	/* siblings and parents evaluated
					   again after an exec beside them */
};

extern const struct st_embedded st_builtin_recipes[];

void	 st_recipes_init(struct st_recipes *);
void	 st_recipes_free(struct st_recipes *);
int	 st_recipes_load_text(struct st_recipes *, const char *, const char *,
	    size_t, char **);
int	 st_recipes_load_path(struct st_recipes *, const char *, char **);
int	 st_recipes_load_builtin(struct st_recipes *, char **);

/* One recipe firing on one process (and event). */
struct st_hit {
	const struct st_recipe *recipe;
	const struct st_alt *alt;	/* the alternative that matched */
	struct st_proc	*subject;	/* NULL: an event of no process */
	const struct st_event *ev;	/* the event; NULL: subject's exec */
	struct st_proc	*target;	/* ptrace: the process reached into */
	enum st_severity severity;	/* after grading */
	const char	*reason;	/* the grade's or alternative's, or NULL */
};
typedef void (*st_hit_fn)(const struct st_hit *, void *);
unsigned st_event_on(const struct st_event *);
void	 st_match_exec(struct st_recipes *, struct st_proc *, st_hit_fn, void *);
void	 st_match_event(struct st_recipes *, struct st_proctree *,
	    struct st_proc *, const struct st_event *, st_hit_fn, void *);
const char *st_match_fields(const struct st_alt *, struct st_buf *);
char	*st_match_literals(const char *);

/* recipe-test.c: `steptrail recipes test` */
struct st_example_result {
	unsigned long	 run, failed;
};
int	 st_recipes_test(struct st_recipes *, FILE *, bool,
	    struct st_example_result *);

/* ------------------------------------------------------------- finding.c */

struct st_ancestor {
	int		 pid;
	char		*exe;
	char		*cmdline;	/* short, for people */
	unsigned long	 serial;	/* the exec that defined it, 0: none */
	bool		 seen;		/* false: known only as a ppid */
	bool		 forked;	/* a fork that never exec'd (subshell) */
};

struct st_finding {
	const struct st_recipe *recipe;
	const struct st_step *step;	/* NULL: outside any step */
	enum st_attrib	 step_by;
	enum st_severity severity;
	enum st_severity group_severity; /* highest on the same exec */
	char		*matched;	/* which fields matched */
	const char	*reason;	/* the recipe's: why this severity */
	unsigned	 node;
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	int		 pid;
	int		 ppid;
	uint32_t	 uid, euid, auid;
	char		*exe;
	char		*path;
	char		*cwd;
	char		**argv;
	size_t		 argc;
	bool		 argv_truncated;
	size_t		 argc_seen;	/* the exec's argc, before the copy cut */
	bool		 kernel_cut;	/* the exec's own argv was cut */
	bool		 incomplete;	/* records of the exec were lost */
	struct st_ancestor *anc;
	size_t		 nanc;
	bool		 anc_cut;	/* stopped at the depth limit */
	struct st_ancestor *earlier;	/* programs this process ran before */
	size_t		 nearlier;
	/* the event, for recipes on other events than exec */
	char		*syscall;
	char		*addr;		/* connect */
	int		 port;		/* -1: none */
	char		*file;		/* the first file it named */
	char		*op;		/* config, daemon */
	char		*type;		/* record type of config, daemon */
	long		 enabled;	/* config: audit_enabled=, -1 */
	struct st_ancestor *target;	/* ptrace: the process reached into */
	char		*once_key;	/* once != event: what it is once per */
	char		*what;		/* the event, for folding */
	unsigned long	*evidence;	/* serials, first ST_EVIDENCE_MAX */
	size_t		 nevidence;
	unsigned long	 count;		/* identical findings folded in */
	time_t		 last_sec;
	unsigned	 last_ms;
	uint64_t	 hash;
};

/* A finding an earlier run reported (a checkpoint's). */
struct st_reported {
	uint64_t	 hash;		/* st_finding.hash */
	int		 severity;
	time_t		 sec;		/* when it was last seen */
};

struct st_findings {
	struct st_finding **v;
	size_t		 n;
	struct st_map	 byhash;
	unsigned long	 by_severity[ST_SEV_CRITICAL + 1];
	unsigned long	 dropped;
	struct st_reported *reported;	/* by earlier runs (checkpoint) */
	size_t		 nreported;
	struct st_map	 reported_by;	/* hash -> index + 1 */
	unsigned long	 repeated;	/* hits of those, not reported again */
};

void	 st_findings_init(struct st_findings *);
void	 st_findings_free(struct st_findings *);
void	 st_findings_add(struct st_findings *, struct st_steps *,
	    const struct st_hit *);
void	 st_findings_sort(struct st_findings *);
void	 st_findings_add_reported(struct st_findings *, uint64_t, int, time_t);
bool	 st_findings_reported(const struct st_findings *, uint64_t,
	    enum st_severity);
bool	 st_finding_same_exec(const struct st_finding *,
	    const struct st_finding *);
enum st_severity st_findings_max(const struct st_findings *);

/* ------------------------------------------------------------- source.c */

struct st_input {
	char		*name;		/* as given, "-" for stdin */
	unsigned long long bytes;	/* decompressed */
	unsigned long long size;	/* on disk, if sized */
	unsigned long	 lines;
	int		 fd;		/* open until read, then -1 */
	char		*error;		/* why it could not be read, or NULL */
	const char	*decompressor;	/* "gzip", ... when compressed */
	char		*set;		/* rotation set: "DIR/audit.log" */
	unsigned long	 rank;		/* in it: N of audit.log.N, 0 */
	bool		 sized;		/* a regular file, not a pipe */
	bool		 plain;		/* never decompress (fuzzing) */
	unsigned long long dev, ino;	/* a regular file's identity */
	/* a checkpoint's resume (checkpoint.c sets start and skip) */
	unsigned long long start;	/* first byte to read (plain only) */
	bool		 skip;		/* read whole before, unchanged */
	unsigned long long end;		/* byte after the last whole line */
	bool		 tail;		/* a line without newline was left */
	bool		 unchanged;	/* the same size as the checkpoint saw */
	unsigned	 read_no;	/* its st_reader_input() number, 1.. */
};

/* How far st_source_read is, for a progress line. */
struct st_progress {
	unsigned long long done;	/* bytes of the inputs, as stored */
	unsigned long long total;	/* their sizes, 0 if not known */
	unsigned long	 events;	/* put out by the reader */
	bool		 end;		/* reading is over */
};
typedef void st_progress_fn(const struct st_progress *, void *);

struct st_source {
	struct st_input	*v;		/* in reading order */
	size_t		 n;
	char		**notes;	/* what directories held besides logs */
	size_t		 nnotes;
	st_progress_fn	*progress;	/* called every chunk, and at the end */
	void		*progress_arg;
	bool		 resume;	/* checkpoint: leave a last partial line */
};

void	 st_source_init(struct st_source *);
void	 st_source_free(struct st_source *);
int	 st_source_add(struct st_source *, const char *, char **);
void	 st_source_add_fd(struct st_source *, const char *, int);
int	 st_source_add_system(struct st_source *, const char *, char **);
void	 st_source_progress(struct st_source *, st_progress_fn *, void *);
int	 st_source_read(struct st_source *, struct st_reader *, char **);
char	*st_source_system_log(void);

/* ----------------------------------------------------------- progress.c */

/* The progress line on standard error (an st_progress_fn's state). */
struct st_meter {
	FILE		*f;
	struct timespec	 start, last;
	bool		 drawn;
};

bool	 st_meter_wanted(bool);
void	 st_meter_init(struct st_meter *, FILE *);
void	 st_meter_update(const struct st_progress *, void *);

/* ----------------------------------------------------------------- ci.c */

struct st_ci {
	const char	*system;	/* "GitHub Actions", ... */
	char		*repository;
	char		*commit;
	char		*ref;
	char		*workflow;
	char		*job;
	char		*run;
	char		*url;
	char		*workflow_file;	/* in the repository: ".github/..." */
	char		*workspace;	/* the checkout, to read it */
	char		*wf;		/* the workflow file's text, or NULL */
	size_t		 wf_len;
	struct st_ci_cache {
		char	*name;		/* the last step looked up */
		unsigned line;
	}		*cache;
};

int	 st_ci_from_env(struct st_ci *);
void	 st_ci_free(struct st_ci *);
unsigned st_ci_step_line(const struct st_ci *, const char *);

/* --------------------------------------------------------------- when.c */

int	 st_when_parse(const char *, time_t, int64_t *, char **);

/* --------------------------------------------------------- checkpoint.c */

/* An input file as a checkpoint saw it. */
struct st_ck_input {
	unsigned long long dev, ino;
	unsigned long long size;	/* on disk */
	unsigned long long end;		/* byte after the last line taken */
	unsigned long long head;	/* bytes hashed: */
	uint64_t	 head_hash;
	bool		 compressed;
};

/* A checkpoint read, until it is applied to a pipeline. */
struct st_checkpoint {
	bool		 loaded;
	bool		 applied;
	struct st_reader_mark *marks;
	size_t		 nmarks;
	struct st_ck_input *inputs;
	size_t		 ninputs;
	bool		 tree_seen, steps_seen;
	unsigned long	 seq, ids;
	struct { unsigned node; time_t sec; } *now;
	size_t		 nnow;
	struct st_step	**steps;
	size_t		 nsteps;
	struct st_step	*latest;
	struct st_step	**latest_on;
	size_t		 nlatest_on;
	unsigned	 numbered, ngitlab, njenkins;
	unsigned long	 markers;
	struct { char *name; unsigned n; } *actions;
	size_t		 nactions;
	struct st_proc	**procs;	/* parents linked */
	bool		*current;	/* procs[i] holds its pid */
	size_t		 nprocs;
	struct st_reported *reported;
	size_t		 nreported;
};

int	 st_checkpoint_load(struct st_checkpoint *, const char *,
	    const struct st_recipes *, char **);
int	 st_checkpoint_parse(struct st_checkpoint *, const char *, const char *,
	    size_t, const struct st_recipes *, char **);
void	 st_checkpoint_apply(struct st_checkpoint *, struct st_proctree *,
	    struct st_reader *, struct st_steps *, struct st_findings *,
	    struct st_source *);
bool	 st_checkpoint_settled(const struct st_checkpoint *,
	    const struct st_source *);
void	 st_checkpoint_free(struct st_checkpoint *);
char	*st_checkpoint_build(const struct st_proctree *,
	    const struct st_reader *, const struct st_steps *,
	    struct st_findings *, const struct st_source *, size_t *);
int	 st_checkpoint_commit(const char *, const char *, size_t, char **);

/* ----------------------------------------------------------- coverage.c */

/* Spans of time the analysis could not see (coverage.c says which). */
enum st_blind_kind {
	ST_BLIND_GAP,		/* serial numbers never seen */
	ST_BLIND_OFF,		/* audit_enabled=0 */
	ST_BLIND_DAEMON,	/* DAEMON_END/ABORT .. DAEMON_START */
	ST_BLIND_RULES,		/* rules removed (from then on) */
};

#define ST_BLIND_MAX	1000	/* spans kept; the rest are counted */

struct st_blind {
	enum st_blind_kind kind;
	unsigned	 node;
	time_t		 from_sec;
	unsigned	 from_ms;
	unsigned long	 from_serial;
	time_t		 to_sec;	/* when open: to the end of the log */
	unsigned	 to_ms;
	unsigned long	 to_serial;
	bool		 open;
	unsigned long	 missing;	/* GAP: events missing */
	unsigned long	 count;		/* RULES: rules removed */
	char		*what;		/* RULES: their keys; DAEMON: type */
};

struct st_coverage {
	struct st_blind	*v;
	size_t		 n;
	unsigned long	 more;		/* spans past ST_BLIND_MAX */
	bool		 any;		/* an event with a time was seen */
	time_t		 first_sec, last_sec;
	unsigned	 first_ms, last_ms;
};

void	 st_coverage_init(struct st_coverage *);
void	 st_coverage_free(struct st_coverage *);
void	 st_coverage_event(struct st_coverage *, const struct st_event *);
void	 st_coverage_gap(struct st_coverage *, unsigned, unsigned long, time_t,
	    unsigned, unsigned long, time_t, unsigned, unsigned long);
void	 st_coverage_fill(struct st_coverage *, unsigned, unsigned long);
const char *st_blind_kind_name(enum st_blind_kind);

/* ------------------------------------------------------------ history.c */

/* A process as tree and timeline show it (escaped strings). */
struct st_hist_proc {
	unsigned long	 id;		/* st_proc's */
	unsigned long	 parent;	/* its parent's id, 0: none known */
	unsigned	 node;
	int		 pid, ppid;
	time_t		 sec, last_sec;	/* first and last record */
	unsigned	 ms, last_ms;
	const struct st_step *step;
	char		*exe;
	char		*cmdline;	/* of its last exec */
	unsigned	 nexecs;
	bool		 in_window;	/* a record in --since/--until */
	size_t		 prev_same;	/* older process of that pid, +1 */
	unsigned long	 findings;	/* set by the views */
	enum st_severity worst;
};

enum st_hist_kind { ST_HIST_EXEC, ST_HIST_CONNECT };

struct st_hist_ev {
	enum st_hist_kind kind;
	time_t		 sec;
	unsigned	 ms;
	unsigned long	 serial;
	unsigned	 node;
	int		 pid, ppid;
	const struct st_step *step;
	char		*exe;
	char		*text;		/* the command line, or the peer */
};

struct st_history {
	bool		 events;	/* keep execs and connects too */
	struct st_hist_proc *p;
	size_t		 np;
	struct st_hist_ev *e;
	size_t		 ne;
	struct st_map	 byid;		/* st_proc id -> index + 1 */
	struct st_map	 bypid;		/* node, pid -> newest index + 1 */
};

void	 st_history_init(struct st_history *, bool);
void	 st_history_free(struct st_history *);
void	 st_history_apply(struct st_history *, const struct st_proc *,
	    const struct st_event *, bool);
long	 st_history_find(const struct st_history *, unsigned, int, time_t,
	    unsigned);
long	 st_history_index(const struct st_history *, unsigned long);

/* ---------------------------------------------- view-tree.c, view-timeline.c */

enum st_view_fmt { ST_VIEW_TEXT, ST_VIEW_JSON, ST_VIEW_CSV };
enum st_view_by { ST_BY_TIME, ST_BY_STEP, ST_BY_NODE };

/* What `steptrail tree` and `timeline` show of an analysis. */
struct st_view_opts {
	enum st_view_fmt fmt;
	int		 pid;		/* --pid, 0: any */
	unsigned	 step;		/* --step, 0: any */
	const char	*node;		/* --node, NULL: any */
	enum st_view_by	 by;		/* timeline: grouping */
};

/* ------------------------------------------------------------ analyze.c */

struct st_run_result;
struct st_analysis {
	struct st_source	 source;
	struct st_steps		 steps;
	struct st_ci		*ci;		/* CI context, or NULL */
	long			 root_pid;	/* only its descendants, 0: all */
	/* --since/--until, ms since the epoch: events outside feed the
	 * process trees, and are not matched (INT64_MIN/MAX: open) */
	int64_t			 since_ms, until_ms;
	unsigned long		 before_window, after_window;
	struct st_history	*history;	/* tree, timeline; else NULL */
	const struct st_run_result *run;	/* steptrail run, or NULL */
	char			**run_argv;
	struct st_reader_stats	 reader;
	struct st_proctree_stats tree;
	struct st_findings	 findings;
	struct st_coverage	 coverage;	/* what it could not see */
	size_t			 nrecipes;
	const struct st_recipes	*recipes;	/* the set run (SARIF rules) */
	unsigned long		 match_errors;
	struct st_gave_up {
		char		*name;	/* a recipe that hit a PCRE2 limit */
		unsigned long	 n;
	}			*gave_up;
	size_t			 ngave_up;
	bool			 input_failed;
	/* --checkpoint: what was read (NULL: no checkpoint asked for), and
	 * the one to write once the reports are out */
	struct st_checkpoint	*checkpoint;
	const char		*checkpoint_path;
	char			*checkpoint_text;
	size_t			 checkpoint_len;
};

void	 st_analysis_init(struct st_analysis *);
void	 st_analysis_free(struct st_analysis *);
int	 st_analyze(struct st_analysis *, struct st_recipes *, char **);
int	 st_view_tree(FILE *, const struct st_analysis *,
	    const struct st_view_opts *, char **);
int	 st_view_timeline(FILE *, const struct st_analysis *,
	    const struct st_view_opts *, char **);

/* -------------------------------------------------------------- rules.c */

enum st_rule_kind {
	ST_RULE_SYSCALL,	/* -a LIST,ACTION ... */
	ST_RULE_WATCH,		/* -w PATH -p PERMS */
	ST_RULE_BACKLOG,	/* -b N */
};

struct audit_rule_data;
struct st_rule {
	enum st_rule_kind kind;
	char		*text;		/* the line, @CI_HOME@ filled in */
	char		*where;		/* "rules.d/20-steptrail-exec.rules:7" */
	char		*skip;		/* why it cannot be loaded here */
	struct audit_rule_data *data;	/* NULL for -b */
	int		 list;		/* AUDIT_FILTER_EXIT, ... */
	int		 action;	/* AUDIT_ALWAYS, AUDIT_NEVER */
	uint32_t	 backlog;
};

struct st_ruleset {
	struct st_rule	*v;
	size_t		 n;
	/* The files parsed, for print: NULL for the built-in table, else
	 * copies read from `from` (datadir.c), owned, NULL-terminated. */
	struct st_embedded *files;
	size_t		 nfiles;
	char		*from;
};

extern const struct st_embedded st_builtin_rules[];

int	 st_rules_parse(struct st_ruleset *, const char *, const char *,
	    const char *, char **);
int	 st_rules_load_builtin(struct st_ruleset *, const char *, char **);
void	 st_rules_print(FILE *, const struct st_ruleset *);
void	 st_ruleset_free(struct st_ruleset *);
size_t	 st_rule_size(const struct audit_rule_data *);
char	*st_rule_key(const struct audit_rule_data *);
bool	 st_rule_is_ours(const struct audit_rule_data *);
bool	 st_rule_same(const struct audit_rule_data *,
	    const struct audit_rule_data *);

/* ------------------------------------------------------------ datadir.c */

/*
 * The default recipes and rules: the installed files under the data
 * directory ($STEPTRAIL_DATADIR, else the one configured) when it has
 * them, else the copies compiled in.
 */
const char *st_datadir(void);
int	 st_datadir_recipes(struct st_recipes *, char **);
int	 st_datadir_rules(struct st_ruleset *, const char *, char **);

/* ------------------------------------------------------------- kaudit.c */

struct st_kstatus {
	uint32_t	 enabled;	/* 0 off, 1 on, 2 on and locked */
	uint32_t	 failure;
	uint32_t	 pid;		/* registered daemon, 0: none */
	uint32_t	 rate_limit;
	uint32_t	 backlog_limit;
	uint32_t	 lost;
	uint32_t	 backlog;
	uint32_t	 backlog_wait_time;
};

struct st_krules {
	struct audit_rule_data **v;
	size_t		 n;
};

int	 st_kaudit_open(char **);
void	 st_kaudit_close(int);
int	 st_kaudit_status(int, struct st_kstatus *, char **);
int	 st_kaudit_rules(int, struct st_krules *, char **);
void	 st_kaudit_rules_free(struct st_krules *);
int	 st_kaudit_add(int, struct audit_rule_data *, int, int, bool, char **);
int	 st_kaudit_delete(int, struct audit_rule_data *, char **);
int	 st_kaudit_set_enabled(int, uint32_t, char **);
int	 st_kaudit_set_backlog(int, uint32_t, char **);
int	 st_kaudit_message(int, const char *, char **);

/* ------------------------------------------------------------ capture.c */

struct st_capture_state {
	char		*by;		/* "rules install", "run" */
	char		*when;
	long		 pid;
	uint32_t	 enabled;	/* as found */
	uint32_t	 backlog_limit;
	long long	 set_enabled;	/* what install set, -1: nothing */
	long long	 set_backlog;
	struct st_krules before;	/* every rule loaded before */
	struct st_krules removed;	/* rules install took out */
};

struct st_capture_result {
	unsigned long	 added;
	unsigned long	 already;
	unsigned long	 skipped;
	unsigned long	 removed;
	bool		 exact;		/* remove: rules as found at install */
	char		**notes;
	size_t		 nnotes;
};

char	*st_ci_home(const char *, char **);
int	 st_capture_lock(char **);
void	 st_capture_unlock(int);
int	 st_capture_install(const struct st_ruleset *, const char *, bool,
	    struct st_capture_result *, char **);
int	 st_capture_remove(struct st_capture_result *, char **);
int	 st_capture_status(FILE *, const struct st_ruleset *, char **);
int	 st_capture_state_load(struct st_capture_state *, char **);
void	 st_capture_state_free(struct st_capture_state *);
void	 st_capture_result_free(struct st_capture_result *);

/* ------------------------------------------------------------- daemon.c */

struct st_daemon {
	long		 pid;
	char		*dir;
	char		*log;
	bool		 pidfile_existed;
	char		*pidfile_text;	/* what it held, put back at stop */
};

int	 st_daemon_start(struct st_daemon *, int, char **);
int	 st_daemon_stop(struct st_daemon *, char **);
void	 st_daemon_free(struct st_daemon *);

/* ---------------------------------------------------------------- run.c */

struct st_run_result {
	bool		 ran;		/* the command was started */
	long		 pid;
	int		 status;	/* exit status, 128+N: signal N */
	char		*log;		/* the captured records */
	unsigned long long bytes;
	bool		 private_daemon;
	long		 daemon_pid;
	char		*notes;		/* what changed or went wrong */
	int		 signal;	/* a signal that ended the run early */
};

int	 st_run(const struct st_ruleset *, char **, const char *,
	    struct st_run_result *, char **);
void	 st_run_result_free(struct st_run_result *);

/* ------------------------------------------------------------- report.c */

struct st_format {
	const char	*name;
	const char	*description;
	int		(*write)(FILE *, const struct st_analysis *, char **);
};
const struct st_format *st_format_find(const char *);
const struct st_format *st_formats(size_t *);

int	 st_report_text(FILE *, const struct st_analysis *, char **);
int	 st_report_json(FILE *, const struct st_analysis *, char **);
int	 st_report_sarif(FILE *, const struct st_analysis *, char **);
int	 st_report_github(FILE *, const struct st_analysis *, char **);
int	 st_report_jsonl(FILE *, const struct st_analysis *, char **);
const char *st_report_level(enum st_severity);
const char *st_report_score(enum st_severity);
void	 st_report_step(struct st_buf *, const struct st_finding *);
void	 st_report_what(struct st_buf *, const struct st_finding *, size_t);
void	 st_report_parents(struct st_buf *, const struct st_finding *, size_t);
uint64_t st_report_fingerprint(const struct st_finding *);
char	*st_report_attack_url(const char *);
void	 st_report_json_put(FILE *, const char *);
int	 st_report_json_emit(FILE *, struct cJSON *, bool, char **);
void	 st_report_blind(struct st_buf *, const struct st_blind *);
struct cJSON;
struct cJSON *st_report_json_tree(const struct st_analysis *);
struct cJSON *st_report_json_finding(const struct st_finding *);
void	 st_report_json_stats(struct cJSON *, const struct st_analysis *);
struct cJSON *st_report_json_ci(const struct st_ci *);

#define ST_ANCESTRY_MAX		64	/* see finding.c */
#define ST_EVIDENCE_MAX		16	/* see finding.c */

#endif /* STEPTRAIL_H */
