/* busy.c - waiting for another connection's write lock. */
#include "db/busy.h"

#include <pthread.h>
#include <time.h>

/* SQLite's default: checkpoint once the WAL holds this many pages. */
#define AUTOCHECKPOINT_PAGES 1000
/* How long to wait for a wake-up before trying again anyway. */
#define POLL_NS 1000000L

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released;

static void init(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&released, &attr);
	pthread_condattr_destroy(&attr);
}

static struct timespec now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static int64_t to_ms(struct timespec t) { return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000; }

static int on_busy(void *arg, int attempts)
{
	struct vrp_db_busy *busy = arg;
	struct timespec t = now();
	if (attempts == 0)
		busy->since_ms = to_ms(t);
	if (busy->timeout_ms <= 0 || to_ms(t) - busy->since_ms >= busy->timeout_ms)
		return 0;
	t.tv_nsec += POLL_NS;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	pthread_cond_timedwait(&released, &lock, &t);
	pthread_mutex_unlock(&lock);
	return 1;
}

static int on_commit(void *arg, sqlite3 *handle, const char *schema, int pages)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	pthread_cond_broadcast(&released);
	pthread_mutex_unlock(&lock);
	if (pages >= AUTOCHECKPOINT_PAGES)
		sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

void vrp_db_busy_install(sqlite3 *handle, struct vrp_db_busy *busy)
{
	pthread_once(&init_once, init);
	sqlite3_busy_handler(handle, on_busy, busy);
	sqlite3_wal_hook(handle, on_commit, NULL);
}
