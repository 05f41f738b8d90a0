/* transcript.c - making a recording's transcript, indexing its words, titling from it. */
#include "vrp/transcript.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "db/derived_asset_repo.h"
#include "db/recording_repo.h"
#include "db/transcript_repo.h"
#include "derive/transcript.h"
#include "vrp/config.h"
#include "vrp/derive.h"
#include "vrp/settings.h"
#include "vrp/sys/transcriber.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TRANSCRIPT_BYTES (256L * 1024 * 1024)
/* A title is the first few confidently recognised words, not a sentence. */
#define TITLE_WORDS          6
#define TITLE_MIN_CONFIDENCE 0.3

int vrp_transcribe_available(const char *language)
{
	const struct vrp_transcriber_ops *engine = vrp_transcriber_find(VRP_TRANSCRIPT_ENGINE);
	if (!engine)
		return vrp_error_set(VRP_ENOTSUP, "no speech engine is built in");
	struct vrp_transcriber_settings settings = { .language = language };
	return engine->check(&settings);
}

static int read_file(const char *path, char **out)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return vrp_error_from_errno(errno, "cannot open the transcript %s", path);
	struct stat st;
	int rc = fstat(fileno(f), &st) == 0 ? 0
					    : vrp_error_from_errno(errno, "cannot stat %s", path);
	if (rc == 0 && st.st_size > MAX_TRANSCRIPT_BYTES)
		rc = vrp_error_set(VRP_ECORRUPT_MEDIA, "the transcript %s is too large", path);
	char *data = rc == 0 ? malloc((size_t)st.st_size + 1) : NULL;
	if (rc == 0 && !data)
		rc = vrp_error_oom();
	if (rc == 0 && fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		rc = vrp_error_from_errno(errno ? errno : EIO, "cannot read the transcript %s",
					  path);
	fclose(f);
	if (rc != 0) {
		free(data);
		return rc;
	}
	data[st.st_size] = '\0';
	*out = data;
	return 0;
}

int vrp_transcript_get(vrp_library *lib, int64_t recording_id, vrp_transcript **out)
{
	*out = NULL;
	vrp_derived_asset *asset = NULL;
	int rc = vrp_derived_asset_repo_get(vrp_library_db(lib), recording_id,
					    VRP_DERIVED_TRANSCRIPT, &asset);
	if (rc == VRP_ENOTFOUND)
		return vrp_error_set(
			VRP_ENOTFOUND,
			"recording %lld has no transcript yet: run vrp transcribe %lld",
			(long long)recording_id, (long long)recording_id);
	char *path = rc == 0 ? vrp_library_path(lib, asset->path) : NULL;
	char *json = NULL;
	if (rc == 0 && !path)
		rc = vrp_error_oom();
	if (rc == 0)
		rc = read_file(path, &json);
	if (rc == 0)
		rc = vrp_transcript_parse(json, out);
	free(json);
	free(path);
	vrp_derived_asset_free(asset);
	return rc;
}

/* "word start end" lines, the 1-best words first, for the time of a search hit. */
static char *timing_of(const vrp_transcript_part *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->word_count; i++)
		len += strlen(p->words[i].word) + 32;
	for (size_t i = 0; i < p->alternative_count; i++)
		len += strlen(p->alternatives[i].word) + 32;
	char *text = malloc(len), *at = text;
	if (!text)
		return NULL;
	*at = '\0';
	for (size_t i = 0; i < p->word_count; i++)
		at += sprintf(at, "%s %.2f %.2f\n", p->words[i].word, p->words[i].start,
			      p->words[i].end);
	for (size_t i = 0; i < p->alternative_count; i++)
		at += sprintf(at, "%s %.2f %.2f\n", p->alternatives[i].word,
			      p->alternatives[i].start, p->alternatives[i].end);
	return text;
}

static char *alternatives_of(const vrp_transcript_part *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->alternative_count; i++)
		len += strlen(p->alternatives[i].word) + 1;
	char *text = malloc(len), *at = text;
	if (!text)
		return NULL;
	*at = '\0';
	for (size_t i = 0; i < p->alternative_count; i++)
		at += sprintf(at, "%s%s", i ? " " : "", p->alternatives[i].word);
	return text;
}

static int index_transcript(vrp_library *lib, int64_t id, const vrp_transcript *t)
{
	struct vrp_transcript_row *rows =
		t->part_count ? calloc(t->part_count, sizeof(*rows)) : NULL;
	int rc = t->part_count && !rows ? vrp_error_oom() : 0;
	for (size_t i = 0; rc == 0 && i < t->part_count; i++) {
		rows[i].start = t->parts[i].start;
		rows[i].end = t->parts[i].end;
		rows[i].text = t->parts[i].text;
		rows[i].alternatives = alternatives_of(&t->parts[i]);
		rows[i].timing = timing_of(&t->parts[i]);
		if (!rows[i].alternatives || !rows[i].timing)
			rc = vrp_error_oom();
	}
	if (rc == 0)
		rc = vrp_transcript_repo_replace(vrp_library_db(lib), id, rows, t->part_count);
	for (size_t i = 0; rows && i < t->part_count; i++) {
		free((char *)rows[i].alternatives);
		free((char *)rows[i].timing);
	}
	free(rows);
	return rc;
}

/* Fillers and function words that make a poor start for a title. */
static bool is_weak_start(const char *word)
{
	static const char *const weak[] = { "um",  "uh", "so", "okay", "ok",   "well", "and",
					    "but", "oh", "ah", "hmm",  "like", "yeah" };
	for (size_t i = 0; i < sizeof(weak) / sizeof(*weak); i++)
		if (strcmp(word, weak[i]) == 0)
			return true;
	return false;
}

/*
 * The first TITLE_WORDS words of the first utterance with enough
 * confident words, with leading fillers dropped and the first letter
 * capitalised; NULL in `*out` when nothing was said clearly enough.
 */
static int title_from(const vrp_transcript *t, char **out)
{
	*out = NULL;
	for (size_t i = 0; i < t->part_count; i++) {
		const vrp_transcript_part *p = &t->parts[i];
		size_t first = 0, confident = 0;
		while (first < p->word_count && is_weak_start(p->words[first].word))
			first++;
		size_t last =
			first + TITLE_WORDS < p->word_count ? first + TITLE_WORDS : p->word_count;
		size_t len = 1;
		for (size_t w = first; w < last; w++) {
			len += strlen(p->words[w].word) + 1;
			confident += p->words[w].confidence >= TITLE_MIN_CONFIDENCE;
		}
		if (last - first < 2 || confident * 2 < last - first)
			continue;
		char *title = malloc(len), *at = title;
		if (!title)
			return vrp_error_oom();
		*at = '\0';
		for (size_t w = first; w < last; w++)
			at += sprintf(at, "%s%s", w > first ? " " : "", p->words[w].word);
		if (title[0] >= 'a' && title[0] <= 'z')
			title[0] = (char)(title[0] - 'a' + 'A');
		*out = title;
		return 0;
	}
	return 0;
}

static bool auto_title_enabled(vrp_library *lib, const vrp_transcribe_options *o)
{
	if (o->no_auto_title)
		return false;
	char *value = NULL;
	/* A bad value is the setting's to report (`vrp config`); titling stays on. */
	bool enabled = vrp_settings_get(lib, "transcribe.auto_title", &value, NULL) < 0 || !value ||
		       strcmp(value, "false") != 0;
	free(value);
	return enabled;
}

/* The title the import gave: the file's name without its extension. */
static char *imported_title(const vrp_recording *rec)
{
	const char *name = rec->original_filename ? rec->original_filename : "";
	const char *dot = strrchr(name, '.');
	size_t len = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	return strndup(name, len);
}

static int maybe_title(vrp_library *lib, const vrp_recording *rec, const vrp_transcript *t,
		       bool *titled)
{
	char *expected = imported_title(rec), *title = NULL;
	int rc = expected ? 0 : vrp_error_oom();
	if (rc == 0 && strcmp(rec->title, expected) == 0)
		rc = title_from(t, &title);
	if (rc == 0 && title)
		rc = vrp_transcript_repo_apply_auto_title(vrp_library_db(lib), rec->id, expected,
							  title, titled);
	free(expected);
	free(title);
	return rc;
}

/*
 * derived/transcript/<uuid>.journal holds the utterances finished so far
 * while the transcript is made, so a killed run resumes after the last one;
 * its key names the audio and settings it belongs to.
 */
static int journal_for(vrp_library *lib, const vrp_recording *rec, const char *language,
		       char **path, char *key, size_t key_size)
{
	char relative[96];
	snprintf(relative, sizeof(relative), "derived/transcript/%s.journal", rec->uuid);
	char *dir = vrp_library_path(lib, "derived/transcript");
	int rc = dir ? vrp_fs_mkdir_p(dir, 0755) : vrp_error_oom();
	free(dir);
	if (rc == 0 && !(*path = vrp_library_path(lib, relative)))
		rc = vrp_error_oom();
	snprintf(key, key_size, "%s %s %s", rec->checksum ? rec->checksum : "-",
		 language ? language : "en-us", vrp_transcript_generator.version);
	return rc;
}

static bool recording_gone(vrp_library *lib, int64_t id)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), id, &rec);
	vrp_recording_free(rec);
	return rc == VRP_ENOTFOUND;
}

static int make_transcript(vrp_library *lib, const vrp_recording *rec,
			   const vrp_transcribe_options *o, unsigned *made)
{
	char *journal = NULL, key[160];
	int rc = journal_for(lib, rec, o->language, &journal, key, sizeof(key));
	if (rc == 0 && o->force)
		vrp_durable_unlink(journal);
	struct vrp_derive_options derive = { .language = o->language,
					     .journal = journal,
					     .journal_key = key,
					     .on_progress = o->on_progress,
					     .progress_ctx = o->progress_ctx };
	if (rc == 0)
		rc = vrp_derive_with(lib, rec->id, VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT),
				     o->force, &derive, made);
	/* Made and recorded, or its recording purged meanwhile: nothing will resume from it. */
	if (rc == 0 || recording_gone(lib, rec->id))
		vrp_durable_unlink(journal);
	free(journal);
	return rc;
}

int vrp_transcribe(vrp_library *lib, int64_t recording_id, const vrp_transcribe_options *options,
		   vrp_transcribe_result *result)
{
	static const vrp_transcribe_options defaults;
	const vrp_transcribe_options *o = options ? options : &defaults;
	vrp_transcribe_result r = { 0 };
	unsigned made = 0;
	vrp_recording *rec = NULL;
	vrp_transcript *t = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), recording_id, &rec);
	if (rc == 0)
		rc = make_transcript(lib, rec, o, &made);
	if (rc == 0)
		rc = vrp_transcript_get(lib, recording_id, &t);
	/* Indexed again even when fresh: cheap, and it repairs an index a crash left behind. */
	if (rc == 0)
		rc = index_transcript(lib, recording_id, t);
	if (rc == 0 && auto_title_enabled(lib, o))
		rc = maybe_title(lib, rec, t, &r.titled);
	r.made = made != 0;
	for (size_t i = 0; t && i < t->part_count; i++)
		r.words += t->parts[i].word_count;
	vrp_recording_free(rec);
	vrp_transcript_free(t);
	if (result)
		*result = r;
	return rc;
}

int vrp_transcript_title_is_auto(vrp_library *lib, int64_t recording_id, bool *is_auto)
{
	return vrp_transcript_repo_title_is_auto(vrp_library_db(lib), recording_id, is_auto);
}
