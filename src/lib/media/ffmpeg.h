/*
 * ffmpeg.h - FFmpeg, loaded when the first file is probed (internal).
 *
 * libvrp does not link libavformat, libavcodec, libswresample and libavutil: their
 * dependency closure is some 130 shared libraries, which every process
 * would load and relocate at start-up, when only an import probes media.
 * The media code calls FFmpeg through this table instead; the headers still
 * provide the types, macros and inline functions (av_q2d, AV_RB32).
 */
#ifndef VRP_MEDIA_FFMPEG_H
#define VRP_MEDIA_FFMPEG_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libavutil/tx.h>
#include <libswresample/swresample.h>

/*
 * Every FFmpeg function the media code calls, with the library that
 * exports it. X(library, function) is expanded once for the table's members
 * and once for the lookups, so the two cannot disagree.
 */
#define VRP_FFMPEG_FUNCTIONS(X)                                                                    \
	X(avutil, av_dict_free)                                                                    \
	X(avutil, av_dict_get)                                                                     \
	X(avutil, av_dict_set)                                                                     \
	X(avutil, av_frame_alloc)                                                                  \
	X(avutil, av_frame_free)                                                                   \
	X(avutil, av_frame_get_buffer)                                                             \
	X(avutil, av_frame_unref)                                                                  \
	X(avutil, av_free)                                                                         \
	X(avutil, av_freep)                                                                        \
	X(avutil, av_log_set_level)                                                                \
	X(avutil, av_malloc)                                                                       \
	X(avutil, av_rescale_q)                                                                    \
	X(avutil, av_rescale_rnd)                                                                  \
	X(avutil, av_strerror)                                                                     \
	X(avutil, av_tx_init)                                                                      \
	X(avutil, av_tx_uninit)                                                                    \
	X(swresample, swr_alloc_set_opts2)                                                         \
	X(swresample, swr_convert)                                                                 \
	X(swresample, swr_free)                                                                    \
	X(swresample, swr_get_delay)                                                               \
	X(swresample, swr_init)                                                                    \
	X(avcodec, av_get_bits_per_sample)                                                         \
	X(avcodec, av_packet_alloc)                                                                \
	X(avcodec, av_packet_free)                                                                 \
	X(avcodec, av_packet_rescale_ts)                                                           \
	X(avcodec, av_packet_unref)                                                                \
	X(avcodec, avcodec_alloc_context3)                                                         \
	X(avcodec, avcodec_descriptor_get)                                                         \
	X(avcodec, avcodec_find_decoder)                                                           \
	X(avcodec, avcodec_find_encoder_by_name)                                                   \
	X(avcodec, avcodec_flush_buffers)                                                          \
	X(avcodec, avcodec_free_context)                                                           \
	X(avcodec, avcodec_get_name)                                                               \
	X(avcodec, avcodec_open2)                                                                  \
	X(avcodec, avcodec_parameters_from_context)                                                \
	X(avcodec, avcodec_parameters_to_context)                                                  \
	X(avcodec, avcodec_receive_frame)                                                          \
	X(avcodec, avcodec_receive_packet)                                                         \
	X(avcodec, avcodec_send_frame)                                                             \
	X(avcodec, avcodec_send_packet)                                                            \
	X(avformat, av_find_input_format)                                                          \
	X(avformat, av_interleaved_write_frame)                                                    \
	X(avformat, av_probe_input_buffer2)                                                        \
	X(avformat, av_read_frame)                                                                 \
	X(avformat, av_seek_frame)                                                                 \
	X(avformat, av_write_trailer)                                                              \
	X(avformat, avformat_alloc_context)                                                        \
	X(avformat, avformat_alloc_output_context2)                                                \
	X(avformat, avformat_close_input)                                                          \
	X(avformat, avformat_free_context)                                                         \
	X(avformat, avformat_new_stream)                                                           \
	X(avformat, avformat_open_input)                                                           \
	X(avformat, avformat_write_header)                                                         \
	X(avformat, avio_alloc_context)                                                            \
	X(avformat, avio_context_free)

/* Typed from the headers' own declarations, so a prototype can never drift. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): a member name cannot be parenthesised. */
#define VRP_FFMPEG_MEMBER(library, function) __typeof__(&(function)) function;

/* The functions, named as in FFmpeg: ffmpeg->av_read_frame(ic, pkt). */
struct vrp_ffmpeg {
	VRP_FFMPEG_FUNCTIONS(VRP_FFMPEG_MEMBER)
};

#undef VRP_FFMPEG_MEMBER

/*
 * Loads FFmpeg's libraries by the sonames of the headers vrp was built
 * with (libavformat.so.59 for FFmpeg 5.1), resolves every function and
 * silences FFmpeg's logging: the library never prints. This happens once
 * per process; the libraries then stay loaded for its lifetime, and every
 * call sets `*out` to the same table.
 *
 * Thread-safe. Returns 0, or VRP_ENOTSUP when a library or function is
 * missing, with a message naming it and the package to install. A failure
 * is final: every later call returns the same error.
 */
int vrp_ffmpeg_load(const struct vrp_ffmpeg **out);

#endif
