/*
 * sphinx_lib.h - pocketsphinx and sphinxbase, loaded on first use (internal).
 *
 * libvrp does not link pocketsphinx: vrp must run on a machine without it,
 * and only a transcription needs it. The engine calls it through this table,
 * typed from the headers vrp was built with, as media/ffmpeg.h does FFmpeg.
 */
#ifndef VRP_TRANSCRIBE_SPHINX_LIB_H
#define VRP_TRANSCRIBE_SPHINX_LIB_H

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/logmath.h>

#define VRP_SPHINX_FUNCTIONS(X)                                                                    \
	X(sphinxbase, cmd_ln_init)                                                                 \
	X(sphinxbase, cmd_ln_free_r)                                                               \
	X(sphinxbase, cmn_live_get)                                                                \
	X(sphinxbase, cmn_live_set)                                                                \
	X(sphinxbase, err_set_logfp)                                                               \
	X(sphinxbase, fe_end_utt)                                                                  \
	X(sphinxbase, fe_free)                                                                     \
	X(sphinxbase, fe_get_output_size)                                                          \
	X(sphinxbase, fe_init_auto_r)                                                              \
	X(sphinxbase, fe_process_frames)                                                           \
	X(sphinxbase, fe_start_utt)                                                                \
	X(sphinxbase, logmath_exp)                                                                 \
	X(pocketsphinx, ps_args)                                                                   \
	X(pocketsphinx, ps_end_utt)                                                                \
	X(pocketsphinx, ps_free)                                                                   \
	X(pocketsphinx, ps_get_config)                                                             \
	X(pocketsphinx, ps_get_feat)                                                               \
	X(pocketsphinx, ps_get_hyp)                                                                \
	X(pocketsphinx, ps_get_lattice)                                                            \
	X(pocketsphinx, ps_get_logmath)                                                            \
	X(pocketsphinx, ps_init)                                                                   \
	X(pocketsphinx, ps_latnode_baseword)                                                       \
	X(pocketsphinx, ps_latnode_iter)                                                           \
	X(pocketsphinx, ps_latnode_iter_free)                                                      \
	X(pocketsphinx, ps_latnode_iter_next)                                                      \
	X(pocketsphinx, ps_latnode_iter_node)                                                      \
	X(pocketsphinx, ps_latnode_prob)                                                           \
	X(pocketsphinx, ps_latnode_times)                                                          \
	X(pocketsphinx, ps_process_raw)                                                            \
	X(pocketsphinx, ps_seg_frames)                                                             \
	X(pocketsphinx, ps_seg_free)                                                               \
	X(pocketsphinx, ps_seg_iter)                                                               \
	X(pocketsphinx, ps_seg_next)                                                               \
	X(pocketsphinx, ps_seg_prob)                                                               \
	X(pocketsphinx, ps_seg_word)                                                               \
	X(pocketsphinx, ps_start_utt)

/* NOLINTNEXTLINE(bugprone-macro-parentheses): a member name cannot be parenthesised. */
#define VRP_SPHINX_MEMBER(library, function) __typeof__(&(function)) function;

struct vrp_sphinx {
	VRP_SPHINX_FUNCTIONS(VRP_SPHINX_MEMBER)
};

#undef VRP_SPHINX_MEMBER

/*
 * Loads libsphinxbase and libpocketsphinx by the sonames vrp was built
 * against, resolves every function and silences their logging (the library
 * never prints). Once per process; thread-safe. VRP_ENOTSUP, with the
 * package to install, when a library or function is missing; final.
 */
int vrp_sphinx_load(const struct vrp_sphinx **out);

#endif
