/*
 * log.h - writing the diagnostic log from inside libvrp (internal).
 *
 *	VRP_LOG_INFO("import", json_pack("{s:I}", "files", (json_int_t)n),
 *		     "import finished in %lld ms", (long long)ms);
 *
 * The context (a json_t object, or NULL) is stolen by the call. Nothing is
 * evaluated when no sink wants the level, so a debug line with a costly
 * context costs nothing when debug is off. Strings that may hold arbitrary
 * bytes (paths) go into a context through vrp_log_string(). Log calls never
 * change errno or the thread's last error, so they may sit on error paths.
 */
#ifndef VRP_CORE_LOG_H
#define VRP_CORE_LOG_H

#include "core/error_set.h"
#include "vrp/log.h"

#include <jansson.h>
#include <stdbool.h>

/* True when some sink wants records of `level`. */
bool vrp_log_enabled(enum vrp_log_level level);

void vrp_log_write(enum vrp_log_level level, const char *logger, const char *func, int line,
		   json_t *context, const char *fmt, ...) VRP_PRINTF(6, 7);

#define VRP_LOG(level, logger, context, ...)                                                       \
	do {                                                                                       \
		if (vrp_log_enabled(level))                                                        \
			vrp_log_write(level, logger, __func__, __LINE__, context, __VA_ARGS__);    \
	} while (0)

#define VRP_LOG_DEBUG(logger, context, ...)                                                        \
	VRP_LOG(VRP_LOG_LEVEL_DEBUG, logger, context, __VA_ARGS__)
#define VRP_LOG_INFO(logger, context, ...) VRP_LOG(VRP_LOG_LEVEL_INFO, logger, context, __VA_ARGS__)
#define VRP_LOG_WARNING(logger, context, ...)                                                      \
	VRP_LOG(VRP_LOG_LEVEL_WARNING, logger, context, __VA_ARGS__)
#define VRP_LOG_ERROR(logger, context, ...)                                                        \
	VRP_LOG(VRP_LOG_LEVEL_ERROR, logger, context, __VA_ARGS__)

/* A JSON string of `text` with ill-formed UTF-8 replaced; json null for NULL text. */
json_t *vrp_log_string(const char *text);

/*
 * A JSON string for a path whose file name may carry a recording's title
 * (remote paths, pull's temporary files), since titles are never logged: the
 * folders are kept and the file name becomes "[title]", followed by the short
 * uuid that vrp's remote names end in, when there is one, and the extension:
 * "VoiceRecorderPro/2026/12/Board meeting 1a2b3c4d.wav" is logged as
 * "VoiceRecorderPro/2026/12/[title] 1a2b3c4d.wav". json null for NULL.
 */
json_t *vrp_log_titled_path(const char *path);

/*
 * A correlation scope: vrp_correlation_enter() makes `id` current (NULL: keep
 * the current one, or start a new one when there is none) and
 * vrp_correlation_leave() puts back what was current before, so scopes nest.
 */
struct vrp_correlation_scope {
	char previous[VRP_CORRELATION_ID_LEN];
	bool had_previous;
};

void vrp_correlation_enter(struct vrp_correlation_scope *scope, const char *id);
void vrp_correlation_leave(const struct vrp_correlation_scope *scope);

#endif
