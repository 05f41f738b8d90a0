/* ptrarray.h - growable arrays of pointers, as the record lists use (internal). */
#ifndef VRP_CORE_PTRARRAY_H
#define VRP_CORE_PTRARRAY_H

#include <stddef.h>

/*
 * Makes room for at least `needed` pointers in the array whose address is
 * `array` (a `T ***`, e.g. &list->items), doubling `*capacity` as it grows.
 * Returns 0, or VRP_ENOMEM with the array left as it was.
 */
int vrp_ptr_array_reserve(void *array, size_t *capacity, size_t needed);

#endif
