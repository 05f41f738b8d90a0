/*
 * registry.h - the generator of each kind of derived asset (internal).
 */
#ifndef VRP_DERIVE_REGISTRY_H
#define VRP_DERIVE_REGISTRY_H

#include "derive/generator.h"

/* The generator that makes `kind`, or NULL when none does yet. */
const struct vrp_generator *vrp_generator_for(enum vrp_derived_kind kind);

/* The longest version vrp_generator_version() writes, with its NUL. */
#define VRP_GENERATOR_VERSION_MAX 128

/*
 * The version an asset `gen` makes with `params` is stored under: its
 * code's version, then ";" and its settings key when it has one.
 */
void vrp_generator_version(const struct vrp_generator *gen, const struct vrp_derive_params *params,
			   char out[VRP_GENERATOR_VERSION_MAX]);

/*
 * Whether `stored` (an asset's generator_version) is what `gen` makes with
 * `params`. A stored version without a settings key, from before vrp kept
 * one, is taken to have the default settings: it was made with them.
 */
bool vrp_generator_version_matches(const struct vrp_generator *gen,
				   const struct vrp_derive_params *params, const char *stored);

#endif
