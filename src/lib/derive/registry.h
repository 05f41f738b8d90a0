/*
 * registry.h - the generator of each kind of derived asset (internal).
 */
#ifndef VRP_DERIVE_REGISTRY_H
#define VRP_DERIVE_REGISTRY_H

#include "derive/generator.h"

/* The generator that makes `kind`, or NULL when none does yet. */
const struct vrp_generator *vrp_generator_for(enum vrp_derived_kind kind);

#endif
