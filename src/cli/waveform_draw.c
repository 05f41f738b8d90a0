/* waveform_draw.c - a recording's waveform across the terminal, in Unicode blocks. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DRAW_WIDTH_MAX 400

/* Eighths of a cell, from silence to full: the column is as tall as the loudest moment in it. */
static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static int terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < DRAW_WIDTH_MAX ? ws.ws_col : DRAW_WIDTH_MAX;
	return 80;
}

static int peak_of(const vrp_waveform_peaks *p, size_t i)
{
	int lo = -p->data[2 * i], hi = p->data[2 * i + 1];
	return lo > hi ? lo : hi;
}

/* The bars, scaled to the recording's own loudest peak so a quiet memo still shows its shape. */
static void draw_bars(const vrp_waveform_peaks *p)
{
	int loudest = 1;
	for (size_t i = 0; i < p->length; i++)
		if (peak_of(p, i) > loudest)
			loudest = peak_of(p, i);
	for (size_t i = 0; i < p->length; i++) {
		int peak = peak_of(p, i);
		fputs(blocks[(peak * 8 + loudest / 2) / loudest], stdout);
	}
	fputc('\n', stdout);
}

/* 0:00 at the left, the end at the right, the middle between. */
static void draw_axis(size_t width, double duration)
{
	char start[CLI_SHORT_LEN] = "00:00", middle[CLI_SHORT_LEN], end[CLI_SHORT_LEN];
	cli_format_duration(duration / 2, middle);
	cli_format_duration(duration, end);
	size_t ls = strlen(start), lm = strlen(middle), le = strlen(end);
	if (width < ls + lm + le + 2) {
		fputc('\n', stdout);
		return;
	}
	size_t mid_at = width / 2 - lm / 2;
	printf("%s%*s%s%*s%s\n", start, (int)(mid_at - ls), "", middle,
	       (int)(width - mid_at - lm - le), "", end);
}

void cli_draw_waveform(vrp_library *lib, const vrp_recording *rec)
{
	int width = terminal_width();
	if (rec->duration <= 0 || rec->sample_rate <= 0 || width < 8)
		return;
	/* A multiple of the stored 256 samples per pixel: served from the stored
	 * asset without decoding the audio again. */
	double frames = rec->duration * rec->sample_rate;
	long long fine = (long long)(frames / 256) + 1;
	long long factor = (fine + width - 1) / width;
	vrp_waveform_options o = { .samples_per_pixel = (int)(256 * (factor > 0 ? factor : 1)) };
	vrp_waveform_peaks *p = NULL;
	/* The picture is a courtesy: a recording whose waveform cannot be made
	 * still shows its fields, and the reason is one `vrp derive` away. */
	if (vrp_waveform_get(lib, rec->id, &o, &p) == 0 && p->length > 0) {
		fputc('\n', stdout);
		draw_bars(p);
		draw_axis(p->length, rec->duration);
	}
	vrp_waveform_peaks_free(p);
}
