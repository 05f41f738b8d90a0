/* log.c - the process-wide log: levels, the file and stderr sinks, and writing records. */
#include "core/log.h"

#include "core/clock.h"
#include "core/fsutil.h"
#include "core/log_files.h"
#include "core/redact.h"
#include "vrp/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The file sink. `lock` serialises this process's threads; the flock on
 * lock_fd serialises processes, so that only one of them rotates and lines
 * never interleave within a line.
 */
struct file_sink {
	char *dir;
	char *path;
	int fd;
	int lock_fd;
	int64_t max_file_bytes;
	int max_files;
	int retention_days;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct file_sink sink = { .fd = -1, .lock_fd = -1 };
static atomic_int file_level = VRP_LOG_LEVEL_OFF;
static atomic_int stderr_level = VRP_LOG_LEVEL_OFF;

static const char *const level_names[] = { "debug", "info", "warning", "error", "off" };

const char *vrp_log_level_to_string(enum vrp_log_level level)
{
	if ((int)level < 0 || level > VRP_LOG_LEVEL_OFF)
		return NULL;
	return level_names[level];
}

int vrp_log_level_from_string(const char *text, enum vrp_log_level *out)
{
	for (int i = 0; i <= VRP_LOG_LEVEL_OFF; i++)
		if (text && !strcmp(text, level_names[i])) {
			*out = (enum vrp_log_level)i;
			return 0;
		}
	if (text && !strcmp(text, "warn")) {
		*out = VRP_LOG_LEVEL_WARNING;
		return 0;
	}
	return vrp_error_set(VRP_EINVAL,
			     "unknown log level '%s' (use debug, info, warning, error or off)",
			     text ? text : "");
}

bool vrp_log_enabled(enum vrp_log_level level)
{
	return (int)level >= atomic_load(&file_level) || (int)level >= atomic_load(&stderr_level);
}

void vrp_log_set_stderr_level(enum vrp_log_level level) { atomic_store(&stderr_level, level); }

static void sink_close(struct file_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->dir);
	free(s->path);
	*s = (struct file_sink){ .fd = -1, .lock_fd = -1 };
}

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static int sink_init(struct file_sink *s, const vrp_log_settings *settings)
{
	*s = (struct file_sink){ .fd = -1,
				 .lock_fd = -1,
				 .max_file_bytes = settings->max_file_bytes,
				 .max_files = settings->max_files,
				 .retention_days = settings->retention_days };
	int rc = vrp_fs_mkdir_p(settings->dir, 0700);
	char *lock_path = NULL;
	if (rc == 0) {
		s->dir = strdup(settings->dir);
		s->path = vrp_path_join(settings->dir, VRP_LOG_CURRENT_NAME);
		lock_path = vrp_path_join(settings->dir, VRP_LOG_LOCK_NAME);
		if (!s->dir || !s->path || !lock_path)
			rc = vrp_error_oom();
	}
	if (rc == 0 && (s->lock_fd = open_append(lock_path)) < 0)
		rc = vrp_error_from_errno(errno, "cannot open the log lock %s", lock_path);
	if (rc == 0) {
		flock(s->lock_fd, LOCK_EX);
		vrp_log_prune(s->dir, s->retention_days, s->max_files, vrp_time_now_ms());
		s->fd = open_append(s->path);
		int err = errno;
		flock(s->lock_fd, LOCK_UN);
		if (s->fd < 0)
			rc = vrp_error_from_errno(err, "cannot open the log %s", s->path);
	}
	free(lock_path);
	if (rc < 0)
		sink_close(s);
	return rc;
}

static int check_settings(const vrp_log_settings *s)
{
	if (!s || !s->dir || !*s->dir)
		return vrp_error_set(VRP_EINVAL, "no log directory given");
	if (!vrp_log_level_to_string(s->level))
		return vrp_error_set(VRP_EINVAL, "unknown log level %d", (int)s->level);
	if (s->max_file_bytes < 1024 || s->max_files < 1 || s->retention_days < 1)
		return vrp_error_set(
			VRP_EINVAL,
			"log limits out of range: max_file_bytes %lld (at least 1024), "
			"max_files %d and retention_days %d (at least 1)",
			(long long)s->max_file_bytes, s->max_files, s->retention_days);
	return 0;
}

int vrp_log_open(const vrp_log_settings *settings)
{
	int rc = check_settings(settings);
	pthread_mutex_lock(&lock);
	sink_close(&sink);
	if (rc == 0)
		rc = sink_init(&sink, settings);
	atomic_store(&file_level, rc == 0 ? (int)settings->level : VRP_LOG_LEVEL_OFF);
	pthread_mutex_unlock(&lock);
	return rc;
}

void vrp_log_close(void)
{
	pthread_mutex_lock(&lock);
	atomic_store(&file_level, VRP_LOG_LEVEL_OFF);
	sink_close(&sink);
	pthread_mutex_unlock(&lock);
}

const char *vrp_log_dir(void)
{
	pthread_mutex_lock(&lock);
	const char *dir = sink.dir;
	pthread_mutex_unlock(&lock);
	return dir;
}

/* Another process rotated vrp.log away: follow it to the new file. */
static void follow_rotation(struct file_sink *s)
{
	struct stat by_path, by_fd;
	if (stat(s->path, &by_path) == 0 && fstat(s->fd, &by_fd) == 0 &&
	    by_path.st_ino == by_fd.st_ino && by_path.st_dev == by_fd.st_dev)
		return;
	int fd = open_append(s->path);
	if (fd >= 0) {
		close(s->fd);
		s->fd = fd;
	}
}

static void rotate_if_full(struct file_sink *s, size_t incoming)
{
	struct stat st;
	if (fstat(s->fd, &st) != 0 || st.st_size == 0 ||
	    st.st_size + (int64_t)incoming <= s->max_file_bytes)
		return;
	int64_t now = vrp_time_now_ms();
	if (vrp_log_rotate(s->dir, now) != 0)
		return;
	int fd = open_append(s->path);
	if (fd >= 0) {
		close(s->fd);
		s->fd = fd;
	}
	vrp_log_prune(s->dir, s->retention_days, s->max_files, now);
}

/* A log line is no durable step: it must not count as a test build's crash point
 * (vrp_fs_write_all does), or the steps of an operation would depend on -v. */
static void write_line(int fd, const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, line, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (size_t)n;
	}
}

/* Called with `lock` held. `line` ends in a newline, so one write appends one record. */
static void sink_write(struct file_sink *s, const char *line, size_t len)
{
	flock(s->lock_fd, LOCK_EX);
	follow_rotation(s);
	rotate_if_full(s, len);
	write_line(s->fd, line, len);
	flock(s->lock_fd, LOCK_UN);
}

json_t *vrp_log_string(const char *text)
{
	if (!text)
		return json_null();
	if (vrp_utf8_valid(text))
		return json_string(text);
	char *clean = vrp_utf8_sanitize(text);
	json_t *s = clean ? json_string(clean) : NULL;
	free(clean);
	return s;
}

/* Whether name[0..len) ends in " " and eight lower-case hex digits (vrp's short uuid). */
static bool ends_in_short_uuid(const char *name, size_t len)
{
	if (len < 9 || name[len - 9] != ' ')
		return false;
	for (size_t i = len - 8; i < len; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	return true;
}

json_t *vrp_log_titled_path(const char *path)
{
	if (!path)
		return json_null();
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot > name ? (size_t)(dot - name) : strlen(name);
	const char *keep = ends_in_short_uuid(name, stem) ? name + stem - 9 : name + stem;
	char *text = NULL;
	if (asprintf(&text, "%.*s[title]%s", (int)(name - path), path, keep) < 0)
		return NULL;
	json_t *s = vrp_log_string(text);
	free(text);
	return s;
}

static json_t *build_record(enum vrp_log_level level, const char *logger, const char *func,
			    int line, json_t *context, const char *message)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	const char *correlation = vrp_correlation_current();
	json_t *r = json_object();
	if (!r) {
		json_decref(context);
		return NULL;
	}
	json_object_set_new(r, "timestamp", json_string(now));
	json_object_set_new(r, "level", json_string(vrp_log_level_to_string(level)));
	json_object_set_new(r, "logger", vrp_log_string(logger));
	json_object_set_new(r, "message", vrp_log_string(message));
	json_object_set_new(r, "func", vrp_log_string(func));
	json_object_set_new(r, "line", json_integer(line));
	json_object_set_new(r, "correlation_id",
			    correlation ? json_string(correlation) : json_null());
	json_object_set_new(r, "pid", json_integer(getpid()));
	json_object_set_new(r, "context", json_is_object(context) ? context : json_null());
	if (context && !json_is_object(context))
		json_decref(context);
	if (!vrp_redact_json(r)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

static void emit(enum vrp_log_level level, json_t *record)
{
	char *text = json_dumps(record, JSON_COMPACT);
	char *human = NULL;
	if ((int)level >= atomic_load(&stderr_level)) {
		vrp_log_record view = {
			.timestamp = json_string_value(json_object_get(record, "timestamp")),
			.level = level,
			.logger = json_string_value(json_object_get(record, "logger")),
			.message = json_string_value(json_object_get(record, "message")),
			.correlation_id =
				json_string_value(json_object_get(record, "correlation_id")),
		};
		char *context = json_dumps(json_object_get(record, "context"), JSON_COMPACT);
		view.context = context;
		human = vrp_log_record_format(&view);
		free(context);
	}
	pthread_mutex_lock(&lock);
	if (text && sink.fd >= 0 && (int)level >= atomic_load(&file_level)) {
		size_t len = strlen(text);
		text[len] = '\n'; /* json_dumps leaves room only for its NUL: reuse it. */
		sink_write(&sink, text, len + 1);
	}
	if (human)
		fprintf(stderr, "%s\n", human);
	pthread_mutex_unlock(&lock);
	free(text);
	free(human);
}

void vrp_log_write(enum vrp_log_level level, const char *logger, const char *func, int line,
		   json_t *context, const char *fmt, ...)
{
	int saved_errno = errno;
	char *message = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&message, fmt, ap);
	va_end(ap);
	json_t *record = n >= 0 ? build_record(level, logger, func, line, context, message)
				: (json_decref(context), NULL);
	if (record)
		emit(level, record);
	json_decref(record);
	if (n >= 0)
		free(message);
	errno = saved_errno;
}
