/* spectrogram_png.c - the spectrogram's colour map and its PNG encoding. */
#include "derive/spectrogram.h"

#include "core/error_set.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

/*
 * The colour map is computed, not tabulated: a path through OKLab, whose
 * lightness axis is perceptually even, so equal steps in dB look like equal
 * steps in brightness and the image reads the same in grey. Lightness rises
 * linearly; the hue turns from violet through red and orange to yellow (as
 * magma's does), and the chroma arches so both ends stay near neutral.
 */
#define MAP_L_START       0.13
#define MAP_L_END         0.97
#define MAP_C_PEAK        0.17
#define MAP_HUE_START_DEG 300.0
#define MAP_HUE_TURN_DEG  160.0

static double clamp01(double x) { return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x; }

/* OKLab to linear sRGB (Ottosson's matrices); false when outside the gamut. */
static int oklab_to_linear_srgb(double lightness, double a, double b, double out[3])
{
	double l = lightness + 0.3963377774 * a + 0.2158037573 * b;
	double m = lightness - 0.1055613458 * a - 0.0638541728 * b;
	double s = lightness - 0.0894841775 * a - 1.2914855480 * b;
	l = l * l * l;
	m = m * m * m;
	s = s * s * s;
	out[0] = 4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s;
	out[1] = -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s;
	out[2] = -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s;
	for (int i = 0; i < 3; i++)
		if (out[i] < -1e-9 || out[i] > 1.0 + 1e-9)
			return 0;
	return 1;
}

static uint8_t srgb_encode(double linear)
{
	double v = clamp01(linear);
	v = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
	return (uint8_t)lround(v * 255.0);
}

void vrp_spectrogram_colour(double t, uint8_t rgb[3])
{
	t = clamp01(t);
	double lightness = MAP_L_START + (MAP_L_END - MAP_L_START) * t;
	double chroma = MAP_C_PEAK * sin(M_PI * (0.1 + 0.8 * t));
	double hue = (MAP_HUE_START_DEG + MAP_HUE_TURN_DEG * t) * M_PI / 180.0;
	double linear[3] = { 0 };
	/* Out of gamut, give up chroma, never lightness: clipping a channel would break the ramp.
	 */
	while (!oklab_to_linear_srgb(lightness, chroma * cos(hue), chroma * sin(hue), linear) &&
	       chroma > 1e-4)
		chroma *= 0.97;
	for (int i = 0; i < 3; i++)
		rgb[i] = srgb_encode(linear[i]);
}

/* stdio over a duplicate, so closing the stream leaves the service's fd open for its fsync. */
static FILE *open_stream(int fd)
{
	int copy = dup(fd);
	if (copy < 0)
		return NULL;
	FILE *stream = fdopen(copy, "wb");
	if (!stream) {
		int err = errno;
		close(copy);
		errno = err;
	}
	return stream;
}

int vrp_spectrogram_png_write(int fd, const uint8_t *rgb, int width, int height)
{
	FILE *stream = open_stream(fd);
	if (!stream)
		return vrp_error_from_errno(errno, "cannot write the spectrogram");

	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	image.width = (png_uint_32)width;
	image.height = (png_uint_32)height;
	image.format = PNG_FORMAT_RGB;
	errno = 0;
	int written = png_image_write_to_stdio(&image, stream, 0, rgb, 0, NULL);
	int err = errno;
	if (written && fflush(stream) != 0) {
		written = 0;
		err = errno;
	}
	if (fclose(stream) != 0 && written) {
		written = 0;
		err = errno;
	}
	if (written)
		return 0;
	if (err != 0)
		return vrp_error_from_errno(err, "cannot write the spectrogram PNG");
	return vrp_error_set(VRP_EIO, "cannot write the spectrogram PNG: %s", image.message);
}
