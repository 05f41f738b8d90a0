/* ffmpeg.c - FFmpeg, loaded when the first file is probed. */
#include "media/ffmpeg.h"

#include "core/error_set.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <libavutil/macros.h>

/* The sonames the headers belong to: another major version has another ABI. */
#ifndef VRP_AVUTIL_SONAME
#define VRP_AVUTIL_SONAME "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR)
#endif
#ifndef VRP_SWRESAMPLE_SONAME
#define VRP_SWRESAMPLE_SONAME "libswresample.so." AV_STRINGIFY(LIBSWRESAMPLE_VERSION_MAJOR)
#endif
#ifndef VRP_AVCODEC_SONAME
#define VRP_AVCODEC_SONAME "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR)
#endif
#ifndef VRP_AVFORMAT_SONAME
#define VRP_AVFORMAT_SONAME "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR)
#endif

enum library { avutil, swresample, avcodec, avformat, LIBRARY_COUNT };

struct library_name {
	const char *soname;
	const char *package; /* Debian's, which is named for the soname */
};

/* In dependency order, so the first one missing is the one to install. */
static const struct library_name libraries[LIBRARY_COUNT] = {
	[avutil] = { VRP_AVUTIL_SONAME, "libavutil" AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR) },
	[swresample] = { VRP_SWRESAMPLE_SONAME,
			 "libswresample" AV_STRINGIFY(LIBSWRESAMPLE_VERSION_MAJOR) },
	[avcodec] = { VRP_AVCODEC_SONAME, "libavcodec" AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR) },
	[avformat] = { VRP_AVFORMAT_SONAME, "libavformat" AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR) },
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Written once under load_once, read-only afterwards. */
static struct vrp_ffmpeg table;
static int load_result;
static char load_message[512];

/* Keeps dlerror()'s reason, which names the file or the symbol, and says what to install. */
static int load_failed(enum library library)
{
	const char *reason = dlerror();
	snprintf(load_message, sizeof(load_message), "cannot load FFmpeg (%s): %s; install %s",
		 libraries[library].soname, reason ? reason : "not found",
		 libraries[library].package);
	return VRP_ENOTSUP;
}

/*
 * The handles are never closed: FFmpeg keeps global state (codec tables,
 * the log level) that must outlive any one probe, and unloading a library
 * whose functions another thread may still be in is not safe.
 */
static int load_libraries(void **handles)
{
	for (int i = 0; i < LIBRARY_COUNT; i++) {
		/* RTLD_NOW: a missing symbol fails here, not in the middle of a probe. */
		handles[i] = dlopen(libraries[i].soname, RTLD_NOW | RTLD_LOCAL);
		if (!handles[i])
			return load_failed((enum library)i);
	}
	return 0;
}

/*
 * POSIX guarantees that dlsym()'s object pointer converts to the function
 * pointer it stands for (ISO C alone does not).
 */
#define VRP_FFMPEG_RESOLVE(library, function)                                                      \
	table.function = (__typeof__(table.function))dlsym(handles[library], #function);           \
	if (!table.function)                                                                       \
		return load_failed(library);

static int resolve_all(void **handles)
{
	dlerror();
	VRP_FFMPEG_FUNCTIONS(VRP_FFMPEG_RESOLVE)
	return 0;
}

#undef VRP_FFMPEG_RESOLVE

static void load(void)
{
	void *handles[LIBRARY_COUNT] = { NULL };
	load_result = load_libraries(handles);
	if (load_result == 0)
		load_result = resolve_all(handles);
	/* The library never prints; FFmpeg's complaints reach the caller as error codes. */
	if (load_result == 0)
		table.av_log_set_level(AV_LOG_QUIET);
}

int vrp_ffmpeg_load(const struct vrp_ffmpeg **out)
{
	pthread_once(&load_once, load);
	if (load_result < 0) {
		*out = NULL;
		return vrp_error_set(load_result, "%s", load_message);
	}
	*out = &table;
	return 0;
}
