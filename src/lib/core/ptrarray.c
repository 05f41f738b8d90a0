/* ptrarray.c - growable arrays of pointers. */
#include "core/ptrarray.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

int vrp_ptr_array_reserve(void *array, size_t *capacity, size_t needed)
{
	if (needed <= *capacity)
		return 0;
	size_t grown = *capacity ? *capacity : 8;
	while (grown < needed)
		grown *= 2;
	/* The array variable is some `T **`; all object pointers share one
	 * representation on the platforms we build for, and memcpy keeps the
	 * access well-defined. */
	void *items = NULL;
	memcpy(&items, array, sizeof(items));
	void *bigger = realloc(items, grown * sizeof(void *));
	if (!bigger)
		return vrp_error_oom();
	memcpy(array, &bigger, sizeof(bigger));
	*capacity = grown;
	return 0;
}
