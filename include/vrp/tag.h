/*
 * tag.h - the labels recordings carry.
 *
 * A tag name is stored trimmed of surrounding blanks, is never empty, and is
 * unique ignoring ASCII case: "Meeting" and "meeting" are one tag, spelled as
 * it was first created (or last renamed).
 */
#ifndef VRP_TAG_H
#define VRP_TAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_tag {
	int64_t id;
	char *name;
	/* How many recordings carry it, soft-deleted ones included (they can be
	 * restored); a tag at 0 is removed by the next garbage collection. */
	int64_t recording_count;
} vrp_tag;

/* Tags sorted by name, ignoring case; free with vrp_tag_list_free(). */
typedef struct vrp_tag_list {
	vrp_tag **items;
	size_t count;
} vrp_tag_list;

/* Frees the list and every tag in it; NULL is a no-op. */
void vrp_tag_list_free(vrp_tag_list *list);

#ifdef __cplusplus
}
#endif

#endif
